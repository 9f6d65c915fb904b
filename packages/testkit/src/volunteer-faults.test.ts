import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { Client } from 'ssh2';
import { connectClient, execText, openExec, openSubsystem, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { isAlive } from './process-tree';
import { settledWithin } from './settled-within';

/** Processes whose command line mentions `text` (as `pgrep -f` sees them), minus pgrep itself. */
function pgrep(text: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The remote pid of a long-running session: `echo $$; exec sleep` keeps the shell's pid for sleep. */
async function startSleeper(client: Client): Promise<number> {
  const channel = await openExec(client, 'echo $$; exec sleep 60');
  return new Promise((resolve) => channel.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
}

function closed(client: Client): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

describe('volunteer faults', () => {
  let v: Volunteer;
  const clients: Client[] = [];
  const connectTracked = async (): Promise<Client> => {
    const client = await connectClient(v.connectOptions());
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    v = await startVolunteer({ serverCommand: '/bin/cat' });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.end();
    await stopAll();
  });

  it('pause() makes an open connection hang and resume() lets it finish', async () => {
    const client = await connectTracked();
    v.pause();
    const reply = execText(client, 'echo after-pause');
    expect(await settledWithin(reply, 1000)).toBe('pending');
    v.resume();
    expect(await settledWithin(reply, 5000)).toEqual({ value: { stdout: 'after-pause\n', stderr: '', code: 0 } });
  });

  it('pause() leaves new TCP connections without a banner', async () => {
    v.pause();
    const banner = new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: v.port });
      socket.once('data', (chunk: Buffer) => {
        socket.destroy();
        resolve(chunk.toString());
      });
    });
    expect(await settledWithin(banner, 500)).toBe('pending');
    v.resume();
    expect(await settledWithin(banner, 5000)).toEqual({ value: expect.stringMatching(/^SSH-2\.0-OpenSSH/) });
  });

  it('kill() ends sshd, every session and subsystem, and drops the connection', async () => {
    const client = await connectTracked();
    const sleeper = await startSleeper(client);
    await openSubsystem(client, 'sshcc');
    const tree = v.processes();
    expect(tree.length).toBeGreaterThanOrEqual(4); // listener, connection handler, sleep, cat
    expect(tree).toContain(sleeper);
    expect(pgrep(v.dir)).toContain(v.pid);

    const dropped = closed(client);
    await v.kill();
    await dropped;
    expect(v.pid).toBe(0);
    expect(tree.filter(isAlive)).toEqual([]);
    expect(pgrep(v.dir)).toEqual([]);
    expect(existsSync(v.dir)).toBe(true); // kept for restart()
  });

  it('restart() comes back on the same port with the same host key, after dropping old connections', async () => {
    const client = await connectTracked();
    const oldPid = v.pid;
    const dropped = closed(client);
    await v.restart();
    await dropped;
    expect(v.pid).not.toBe(oldPid);
    expect(isAlive(oldPid)).toBe(false);
    // connectOptions() pins the original host key and port: connecting again proves both unchanged.
    const again = await connectTracked();
    await expect(execText(again, 'echo back')).resolves.toMatchObject({ stdout: 'back\n' });
  });

  it('restart() also revives a killed volunteer', async () => {
    await v.kill();
    await v.restart();
    const client = await connectTracked();
    await expect(execText(client, 'echo revived')).resolves.toMatchObject({ stdout: 'revived\n' });
  });

  it('stop() removes the directory and refuses later use', async () => {
    await v.stop();
    expect(existsSync(v.dir)).toBe(false);
    expect(pgrep(v.dir)).toEqual([]);
    await expect(v.restart()).rejects.toThrow(/stopped volunteer/);
  });
});

describe('stopAll', () => {
  it('leaves no process and no directory behind', async () => {
    const volunteers = [await startVolunteer({ serverCommand: '/bin/cat' }), await startVolunteer()];
    const clients = await Promise.all(volunteers.map((vol) => connectClient(vol.connectOptions())));
    const sleepers = await Promise.all(clients.map(startSleeper));
    const paused = volunteers[1]!;
    paused.pause(); // a hung volunteer must not hold stopAll up
    const trees = volunteers.flatMap((vol) => vol.processes());

    await stopAll();
    for (const client of clients) client.end();
    expect([...trees, ...sleepers].filter(isAlive)).toEqual([]);
    for (const vol of volunteers) {
      expect(pgrep(vol.dir)).toEqual([]);
      expect(existsSync(vol.dir)).toBe(false);
    }
  });
});
