// A dedicated volunteer account whose key is `restrict,command="sshcc-server"` in authorized_keys: sshd
// runs sshcc-server for every session whatever it asks for (subsystem, exec, shell), and refuses port
// forwarding. Compiles work, through raw channels and through the agent's pool (subsystem first); a shell,
// other commands and forwarding do not. The same requests against an ordinary account show what the
// restriction takes away.

import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, ClientChannel } from 'ssh2';
import { clientHandshake, FrameReader } from '@sshcc/protocol';
import { channelExit, collectChannel, connectClient, defaultServerCommand, makeClientConfig, openExec, openSubsystem, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { TestAgent } from './support/security-agent';
import { run, splitCompile, writeFiles } from './support/split-compile';

let root: string;
let canary: string;
let project: string;
let serverTmp: string;
/** The account's key is restricted to sshcc-server; sshd also has `Subsystem sshcc`. */
let restricted: Volunteer;
/** The same key restriction on an sshd nobody configured for sshcc: no subsystem, so the pool falls back to exec. */
let restrictedNoSubsystem: Volunteer;
let ordinary: Volunteer;
let echoServer: Server;
let echoPort: number;
const clients: Client[] = [];

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-restricted-')));
  canary = join(root, 'canary');
  project = join(root, 'project');
  serverTmp = join(root, 'server-tmp');
  for (const dir of [canary, project, serverTmp, join(root, 'config')]) mkdirSync(dir);
  writeFiles(project, {
    'src/one.c': 'int one(int x) { return x + 1; }\n',
    'src/two.c': '#include <string.h>\nunsigned long two(const char *s) { return strlen(s) * 2; }\n',
  });
  const env = { TMPDIR: serverTmp, XDG_CONFIG_HOME: join(root, 'config') };
  // authorized_keys quotes the command in double quotes; a quote inside would need a backslash.
  const forced = defaultServerCommand().replace(/["\\]/g, '\\$&');
  const authorizedKeyOptions = `restrict,command="${forced}"`;
  [restricted, restrictedNoSubsystem, ordinary] = await Promise.all([
    startVolunteer({ env, authorizedKeyOptions }),
    startVolunteer({ env, authorizedKeyOptions, subsystem: false }),
    startVolunteer({ env }),
  ]);
  echoServer = createServer((socket) => socket.end('reached through the tunnel\n'));
  echoServer.listen(0, '127.0.0.1');
  await once(echoServer, 'listening');
  echoPort = (echoServer.address() as { port: number }).port;
}, 30_000);

afterAll(async () => {
  for (const client of clients) client.end();
  echoServer?.close();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

async function connect(volunteer: Volunteer): Promise<Client> {
  const client = await connectClient(volunteer.connectOptions());
  clients.push(client);
  return client;
}

/** Reads the first frame off a channel: a running sshcc-server says hello before anything else. */
async function firstFrameType(channel: ClientChannel): Promise<string | null> {
  const frame = await new FrameReader(channel, 'client').next().catch(() => null);
  return frame?.type ?? null;
}

function shell(client: Client): Promise<ClientChannel> {
  // No pty: `restrict` refuses one, and the question is what runs, not how it is shown.
  return new Promise((resolve, reject) => client.shell(false, (err, channel) => (err ? reject(err) : resolve(channel))));
}

function forwardOut(client: Client): Promise<string> {
  return new Promise((resolve, reject) =>
    client.forwardOut('127.0.0.1', 0, '127.0.0.1', echoPort, (err, channel) => {
      if (err) return reject(err);
      // Our side ends at once (the echo server speaks first), so the channel closes when its side ends.
      void collectChannel(channel, '').then((result) => resolve(result.stdout));
    }),
  );
}

function forwardIn(client: Client): Promise<number> {
  return new Promise((resolve, reject) => client.forwardIn('127.0.0.1', 0, (err, port) => (err ? reject(err) : resolve(port))));
}

describe('a volunteer account restricted to sshcc-server', () => {
  it.each([
    ['the sshcc subsystem', (c: Client) => openSubsystem(c, 'sshcc')],
    ['exec of the per-user install path', (c: Client) => openExec(c, '~/.local/lib/sshcc/sshcc-server')],
    [`exec of another command`, (c: Client) => openExec(c, `touch ${canary}/exec; id`)],
  ])('runs sshcc-server for %s, and it compiles', async (_what, open) => {
    const client = await connect(restricted);
    const session = await clientHandshake(await open(client), { client: 'restricted-test' });
    // A pack is code the client picks: under the forced command the server takes none (no `packs` in its hello).
    expect(session.hello.packs).toBeUndefined();
    const split = await splitCompile('gcc -O2 -c src/one.c -o one.o', project);
    const result = await session.runJob(split.spec, split.source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    expect([...result.outputs.keys()]).toEqual(['one.o']);
    await session.close();
    expect(existsSync(join(canary, 'exec'))).toBe(false);
  });

  it('gives no shell: a shell request runs sshcc-server, which refuses the typed text', async () => {
    const client = await connect(restricted);
    const channel = await shell(client);
    const frames: string[] = [];
    const reader = new FrameReader(channel, 'client');
    channel.end(`touch ${canary}/shell; echo pwned\n`);
    const done = channelExit(channel);
    for (let frame = await reader.next().catch(() => null); frame; frame = await reader.next().catch(() => null)) {
      frames.push(frame.type === 'error' ? `error: ${(JSON.parse(frame.payload.toString()) as { message: string }).message}` : frame.type);
    }
    expect(frames).toEqual(['hello', `error: expected a frame, got text "touch ${canary}/shell; echo pwned"`]);
    expect(await done).toBe(113);
    expect(existsSync(join(canary, 'shell'))).toBe(false);
  });

  it('refuses port forwarding both ways', async () => {
    const client = await connect(restricted);
    await expect(forwardOut(client)).rejects.toThrow(/prohibited|open failed/i);
    await expect(forwardIn(client)).rejects.toThrow(/unable to bind|request failed|denied/i);
  });

  it('where an ordinary account on the same sshd settings allows all of it', async () => {
    const client = await connect(ordinary);
    expect(await forwardOut(client)).toBe('reached through the tunnel\n');
    await expect(forwardIn(client)).resolves.toBeGreaterThan(0);
    const exec = await collectChannel(await openExec(client, `touch ${canary}/ordinary; echo ran`), '');
    expect(exec.stdout).toBe('ran\n');
    expect(existsSync(join(canary, 'ordinary'))).toBe(true);
    rmSync(join(canary, 'ordinary'));
    // And without a forced command, `id` is `id`: no sshcc hello comes back.
    expect(await firstFrameType(await openExec(client, 'echo not a frame'))).toBeNull();
  });
});

describe('a build through the restricted account', () => {
  const agents: TestAgent[] = [];
  const configs: ClientConfig[] = [];

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await Promise.all(configs.map((config) => config.remove()));
  });

  it.each([
    ['with `Subsystem sshcc`: the pool asks for the subsystem, the forced command answers', () => restricted],
    ['without it: the subsystem is refused, the pool execs, the forced command answers', () => restrictedNoSubsystem],
  ])('compiles every file there %s', async (_how, volunteer) => {
    const host = volunteer();
    const config = await makeClientConfig([host]);
    configs.push(config);
    const agent = TestAgent.create(config.env, `${host.alias}/2`);
    agents.push(agent);
    const objects = mkdtempSync(join(root, 'objects-'));
    for (const name of ['one', 'two']) {
      const result = await agent.compile(['gcc', '-O2', '-c', `src/${name}.c`, '-o', join(objects, `${name}.o`)], project);
      expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    }
    expect(agent.jobs()).toEqual([
      { output: join(objects, 'one.o'), host: `${host.alias}/2`, why: null },
      { output: join(objects, 'two.o'), host: `${host.alias}/2`, why: null },
    ]);
    // The objects are what gcc makes here.
    for (const name of ['one', 'two']) {
      run(['gcc', '-O2', '-c', `src/${name}.c`, '-o', join(objects, `${name}.local.o`)], project);
      expect(readFileSync(join(objects, `${name}.o`)).equals(readFileSync(join(objects, `${name}.local.o`)))).toBe(true);
    }
  }, 60_000);
});
