import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from 'ssh2';
import {
  collectChannel,
  connectClient,
  execText,
  openExec,
  openSubsystem,
  startVolunteer,
  startVolunteers,
  stopAll,
  type Volunteer,
} from '@sshcc/testkit';

function runSsh(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('a volunteer with default options', () => {
  let a: Volunteer;
  let b: Volunteer;
  let client: Client | undefined;

  beforeAll(async () => {
    [a, b] = (await startVolunteers(2, { serverCommand: '/bin/cat' })) as [Volunteer, Volunteer];
  });
  afterEach(() => {
    client?.end();
    client = undefined;
  });
  afterAll(() => stopAll());

  it('describes itself consistently', () => {
    expect(a.host).toBe('127.0.0.1');
    expect(a.port).not.toBe(b.port);
    expect(a.alias).not.toBe(b.alias);
    expect(a.hostSpec).toBe(`${a.user}@127.0.0.1:${a.port}`);
    expect(a.hostPublicKey).toMatch(/^ssh-ed25519 AAAA\S+$/);
    expect(a.hostPublicKey).not.toBe(b.hostPublicKey);
    expect(a.sshConfigText).toContain(`Host ${a.alias}\n  HostName 127.0.0.1\n  Port ${a.port}\n`);
    expect(a.pid).toBeGreaterThan(0);
  });

  it('runs a command over ssh2 with connectOptions()', async () => {
    client = await connectClient(a.connectOptions());
    await expect(execText(client, 'echo hi')).resolves.toEqual({ stdout: 'hi\n', stderr: '', code: 0 });
  });

  it("execText gives a quick command's exit status every time, also when it comes with the exec reply", async () => {
    client = await connectClient(a.connectOptions());
    for (let i = 0; i < 20; i++) await expect(execText(client, `echo ${i}; exit 3`)).resolves.toEqual({ stdout: `${i}\n`, stderr: '', code: 3 });
  });

  it('serves the system ssh through its ssh_config, checking known_hosts in BatchMode', async () => {
    const result = await runSsh(['-F', a.sshConfigFile, a.alias, 'echo', 'hi']);
    expect(result).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('is refused by ssh2 when the expected host key is another volunteer\'s', async () => {
    await expect(connectClient(b.connectOptions({ port: a.port }))).rejects.toThrow(/verification failed/);
  });

  it('is refused by the system ssh when known_hosts holds another key for it', async () => {
    const knownHosts = join(b.dir, 'swapped_known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${a.port} ${b.hostPublicKey}\n`);
    const result = await runSsh(['-F', a.sshConfigFile, '-o', `UserKnownHostsFile=${knownHosts}`, a.alias, 'echo', 'hi']);
    expect(result.code).toBe(255);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
  });

  it('refuses an unknown host in BatchMode (another volunteer\'s known_hosts)', async () => {
    const result = await runSsh(['-F', a.sshConfigFile, '-o', `UserKnownHostsFile=${b.knownHostsFile}`, a.alias, 'true']);
    expect(result.code).toBe(255);
    expect(result.stderr).toContain('Host key verification failed');
  });

  it('runs the configured command as the sshcc subsystem', async () => {
    client = await connectClient(a.connectOptions());
    const channel = await openSubsystem(client, 'sshcc');
    await expect(collectChannel(channel, 'frame bytes\u0000\u00ff')).resolves.toMatchObject({ stdout: 'frame bytes\u0000\u00ff' });
  });
});

describe('volunteer options', () => {
  afterAll(() => stopAll());

  it('subsystem: false refuses the sshcc subsystem but still runs commands', async () => {
    const v = await startVolunteer({ subsystem: false });
    const client = await connectClient(v.connectOptions());
    try {
      await expect(openSubsystem(client, 'sshcc')).rejects.toThrow(/Unable to start subsystem/);
      await expect(execText(client, 'echo exec-mode')).resolves.toMatchObject({ stdout: 'exec-mode\n', code: 0 });
    } finally {
      client.end();
    }
  });

  it('env reaches the subsystem process, quoting kept', async () => {
    const tmp = '/tmp/sshcc test tmp';
    const v = await startVolunteer({ serverCommand: '/usr/bin/env', env: { TMPDIR: tmp, SSHCC_MARK: 'on' } });
    const client = await connectClient(v.connectOptions());
    try {
      const { stdout } = await collectChannel(await openSubsystem(client, 'sshcc'), '');
      expect(stdout.split('\n')).toEqual(expect.arrayContaining([`TMPDIR=${tmp}`, 'SSHCC_MARK=on']));
    } finally {
      client.end();
    }
  });

  it('a serverCommand that needs shell quoting runs as written', async () => {
    const v = await startVolunteer({ serverCommand: `/bin/sh -c 'printf "%s|" "$0" one; cat' arg0` });
    const client = await connectClient(v.connectOptions());
    try {
      const { stdout } = await collectChannel(await openSubsystem(client, 'sshcc'), 'in');
      expect(stdout).toBe('arg0|one|in');
    } finally {
      client.end();
    }
  });

  it('maxSessions: 2 refuses the third channel on one connection', async () => {
    const v = await startVolunteer({ maxSessions: 2 });
    const client = await connectClient(v.connectOptions());
    try {
      const open = [await openExec(client, 'cat'), await openExec(client, 'cat')];
      await expect(openExec(client, 'cat')).rejects.toThrow(/open failed/);
      const done = open.map((channel) => collectChannel(channel, 'x'));
      await expect(Promise.all(done)).resolves.toEqual([
        { stdout: 'x', stderr: '', code: 0 },
        { stdout: 'x', stderr: '', code: 0 },
      ]);
      // A slot freed is a slot usable again.
      await expect(execText(client, 'echo again')).resolves.toMatchObject({ stdout: 'again\n' });
    } finally {
      client.end();
    }
  });
});
