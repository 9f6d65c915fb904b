// sshcc-server as a volunteer runs it: behind a real OpenSSH sshd, reached with the ssh2 client over the
// `sshcc` Subsystem (or an exec of the server command), talking the protocol through @sshcc/protocol.
// The volunteer's TMPDIR is a dir of this test, so after every job, cancel or broken frame the test can
// see that no job dir and no compiler process is left behind.

import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, ClientChannel } from 'ssh2';
import { clientHandshake, encodeFrame, type ClientSession, type JobSpec } from '@sshcc/protocol';
import { channelExit, connectClient, defaultServerCommand, jobLeftovers, openExec, openSubsystem, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { processesUnder, waitUntil } from './support/processes-under';
import { controlFrame, rawExchange } from './support/raw-frames';
import { slowCSource } from './support/slow-source';
import { readelf, stripped } from './support/object-tools';
import { buildLocally, compilePreprocessedIn, run, splitCompile, writeFiles } from './support/split-compile';

/** The server's exit code when a client breaks the protocol (core's 'protocol' row). */
const EXIT_PROTOCOL = 113;
/** A small compile for tests about something else. */
const HELLO = 'gcc -Iinc -O2 -c src/hello.c -o obj/hello.o';

const SOURCES: Record<string, string> = {
  'inc/shape.h': '#define SQUARE(x) ((x) * (x))\nstruct point { int x, y; };\n',
  'src/hello.c': [
    '#include <stdio.h>',
    '#include "shape.h"',
    'static int norm(struct point p) { return SQUARE(p.x) + SQUARE(p.y); }',
    'int main(void) { struct point p = {3, 4}; printf("%s:%d %d\\n", __FILE__, __LINE__, norm(p)); return 0; }',
    '',
  ].join('\n'),
  'src/shapes.cpp': [
    '#include <map>',
    '#include <string>',
    '#include <vector>',
    '#include "shape.h"',
    'template <class T> T total(const std::vector<T>& v) { T s{}; for (const auto& x : v) s += SQUARE(x); return s; }',
    'int count(const std::map<std::string, std::vector<int>>& m) {',
    '  int n = 0;',
    '  for (const auto& [name, values] : m) n += total(values) + static_cast<int>(name.size());',
    '  return n;',
    '}',
    '',
  ].join('\n'),
  'src/debug.c': [
    '#include "shape.h"',
    '#define SHOW(x) do { trace(__FILE__, __LINE__, (x)); } while (0)',
    'void trace(const char *file, int line, int value);',
    'int walk(int n) {',
    '  int s = 0;',
    '  for (int i = 0; i < n; i++) { s += SQUARE(i); SHOW(s); }',
    '  return s;',
    '}',
    '',
  ].join('\n'),
  'src/bad.c': '#include "shape.h"\nint main(void) { struct point p = {1, 2}; return p.z + undeclared; }\n',
  'src/bad.cpp': 'template <class T> int f(T t) { return t.missing(); }\nint g() { return f(1); }\n',
};

let volunteer: Volunteer;
/** The volunteer's TMPDIR (real path: the compiler's cwd is reported resolved). */
let serverTmp: string;
/** The client's project: sources, and the cwd every job names. */
let project: string;
const dirs: string[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-over-sshd-')));
  dirs.push(root);
  serverTmp = join(root, 'server-tmp');
  project = join(root, 'project');
  for (const dir of [serverTmp, join(root, 'config'), project, join(project, 'obj')]) mkdirSync(dir, { recursive: true });
  writeFiles(project, SOURCES);
  // A config dir of our own, so no ~/.config/sshcc/server.json of this machine changes what the server allows.
  volunteer = await startVolunteer({ env: { TMPDIR: serverTmp, XDG_CONFIG_HOME: join(root, 'config') } });
}, 30_000);

afterEach(async () => {
  await Promise.all([...clients].map(endClient));
});

afterAll(async () => {
  await stopAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Ends an ssh2 connection and waits until it has closed. */
function endClient(client: Client): Promise<void> {
  const index = clients.indexOf(client);
  if (index >= 0) clients.splice(index, 1);
  return new Promise((resolve) => {
    client.once('close', () => resolve());
    client.end();
    setTimeout(resolve, 2000).unref();
  });
}

async function connect(): Promise<Client> {
  const client = await connectClient(volunteer.connectOptions());
  clients.push(client);
  return client;
}

interface Channel {
  readonly channel: ClientChannel;
  /** The server's exit status once the channel has closed. */
  readonly exited: Promise<number | null>;
}

async function openChannel(mode: 'subsystem' | 'exec', client?: Client): Promise<Channel> {
  const ssh = client ?? (await connect());
  const channel = mode === 'subsystem' ? await openSubsystem(ssh, 'sshcc') : await openExec(ssh, defaultServerCommand());
  return { channel, exited: channelExit(channel) };
}

async function openSession(mode: 'subsystem' | 'exec' = 'subsystem'): Promise<ClientSession> {
  return (await openSessionChannel(mode)).session;
}

async function openSessionChannel(mode: 'subsystem' | 'exec'): Promise<Channel & { session: ClientSession }> {
  const opened = await openChannel(mode);
  return { ...opened, session: await clientHandshake(opened.channel, { client: 'server-over-sshd-test' }) };
}

const jobDirsLeft = (): string[] => jobLeftovers(serverTmp);
const compilersRunning = () => processesUnder(serverTmp);

describe('sshcc-server through a real sshd', () => {
  it.each(['subsystem', 'exec'] as const)('says hello over the %s and serves jobs there', async (mode) => {
    const { session, exited } = await openSessionChannel(mode);
    expect(session.hello).toMatchObject({ protocols: [1], compression: expect.arrayContaining(['zstd', 'none']) });
    expect(session.hello.server).toMatch(/^sshcc-server\/\d+\.\d+\.\d+$/);
    expect(session.hello.compilers).toEqual(expect.arrayContaining(['gcc', 'g++', 'cc', 'c++']));
    expect(session.hello.compilers).not.toContain('gcc-ar');
    expect(session.protocol).toBe(1);
    expect(session.compression).toBe('zstd');
    const { spec, source } = await splitCompile(HELLO, project);
    const result = await session.runJob(spec, source);
    expect(result).toMatchObject({ id: 1, kind: 'compiled', exitCode: 0, signal: null });
    expect([...result.outputs.keys()]).toEqual(['hello.o']);
    await session.close();
    expect(await exited).toBe(0);
    expect(jobDirsLeft()).toEqual([]);
  });

  it.each([
    ['C', 'gcc -Iinc -O2 -Wall -c src/hello.c -o obj/hello.o', 'hello.o'],
    ['C++', 'g++ -Iinc -O2 -std=c++17 -c src/shapes.cpp -o obj/shapes.o', 'shapes.o'],
  ])('compiles %s to the object a local gcc -c makes of the same preprocessed source', async (_lang, line, object) => {
    const session = await openSession();
    const split = await splitCompile(line, project);
    const result = await session.runJob(split.spec, split.source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, message: '' });
    expect(result.stderr.toString()).toBe('');
    const remote = result.outputs.get(object);
    expect(remote?.length).toBeGreaterThan(500);
    expect(remote?.equals(compilePreprocessedIn(project, split, 'same-source.o').object as Buffer)).toBe(true);
    // And to what the user would have got without sshcc at all.
    expect(remote?.equals(buildLocally(line, split, project).get(object) as Buffer)).toBe(true);
    expect(jobDirsLeft()).toEqual([]);
  });

  it('maps the job dir to the client cwd, so a -g object equals a local one in code and line table', async () => {
    const session = await openSession();
    const line = 'gcc -Iinc -O1 -g -c src/debug.c -o obj/debug.o';
    const split = await splitCompile(line, project);
    const result = await session.runJob(split.spec, split.source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    const remote = result.outputs.get('debug.o') as Buffer;
    expect(remote.includes(Buffer.from(serverTmp))).toBe(false);
    expect(remote.includes(Buffer.from(project))).toBe(true);
    // Same preprocessed source compiled in the client's cwd: the whole object, debug info included.
    expect(remote.equals(compilePreprocessedIn(project, split, 'same-source.o').object as Buffer)).toBe(true);
    // A plain local build (no directives-only step): same code, same line table.
    const local = buildLocally(line, split, project).get('debug.o') as Buffer;
    expect(stripped(remote)).toEqual(stripped(local));
    expect(readelf('-wl', remote)).toBe(readelf('-wl', local));
    expect(jobDirsLeft()).toEqual([]);
  });

  it("passes clang's -Xclang names through the gate: a split-dwarf object and .dwo equal a local build", async () => {
    const session = await openSession();
    const line = 'clang -Iinc -O1 -g -gdwarf-4 -gsplit-dwarf -c src/debug.c -o obj/debug.o';
    const split = await splitCompile(line, project);
    expect(split.spec.args).toEqual(expect.arrayContaining(['-main-file-name', 'src/debug.c', '-split-dwarf-file', 'obj/debug.dwo']));
    const result = await session.runJob(split.spec, split.source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, message: '' });
    const local = buildLocally(line, split, project);
    expect([...result.outputs.keys()].sort()).toEqual(['debug.dwo', 'debug.o']);
    expect(result.outputs.get('debug.o')?.equals(local.get('debug.o') as Buffer)).toBe(true);
    expect(result.outputs.get('debug.dwo')?.equals(local.get('debug.dwo') as Buffer)).toBe(true);
  });

  it.each([
    ['gcc', 'gcc -Iinc -c src/bad.c -o obj/bad.o', ["error: 'struct point' has no member named 'z'", "error: 'undeclared' undeclared"]],
    ['g++', 'g++ -c src/bad.cpp -o obj/bad.o', ["error: request for member 'missing' in 't', which is of non-class type 'int'"]],
  ])("returns %s's compile errors with the compiler's own stderr and exit code, and no object", async (_name, line, messages) => {
    const session = await openSession();
    const split = await splitCompile(line, project);
    const result = await session.runJob(split.spec, split.source);
    const plain = run(line.split(' '), project).status;
    expect(result).toMatchObject({ kind: 'compiled', exitCode: plain, signal: null, message: '' });
    expect(result.exitCode).toBe(1);
    for (const message of messages) expect(result.stderr.toString()).toContain(message);
    // gcc quotes the offending line by reading the file its line markers name; the volunteer has no
    // src/, so compare with the same compile where the sources are out of reach too.
    const elsewhere = mkdtempSync(join(tmpdir(), 'sshcc-no-sources-'));
    dirs.push(elsewhere);
    const same = compilePreprocessedIn(elsewhere, split, 'bad.o');
    expect(same.status).toBe(1);
    expect(result.stderr.toString()).toBe(same.stderr.toString());
    expect(result.outputs.size).toBe(0);
    expect(jobDirsLeft()).toEqual([]);
  });

  it('answers compiler-missing and compiler-mismatch without compiling, and keeps serving', async () => {
    const session = await openSession();
    const { spec, source } = await splitCompile(HELLO, project);
    // A build of its own under no name here: gcc's fingerprint would find gcc (matched by identity).
    const missing = await session.runJob({ ...spec, compiler: 'gcc-99', fingerprint: { ...spec.fingerprint, driver: 'e'.repeat(64) } }, source);
    expect(missing).toMatchObject({ kind: 'compiler-missing', exitCode: null, message: "gcc-99 is not on this server's PATH" });
    expect(missing.timings.compileMs).toBe(0);
    const otherCc1 = { ...spec, fingerprint: { ...spec.fingerprint, cc1: 'f'.repeat(64) } };
    const mismatch = await session.runJob(otherCc1, source);
    expect(mismatch).toMatchObject({
      kind: 'compiler-mismatch',
      exitCode: null,
      message: `gcc: cc1 binary differs (sha256 ffffffffffff on the client, ${spec.fingerprint.cc1?.slice(0, 12)} here)`,
    });
    expect(mismatch.outputs.size).toBe(0);
    expect(mismatch.timings.compileMs).toBe(0);
    const otherVersion = { ...spec, fingerprint: { ...spec.fingerprint, version: '(GCC) 99.0.0' } };
    expect((await session.runJob(otherVersion, source)).kind).toBe('compiler-mismatch');
    expect(await session.runJob(spec, source)).toMatchObject({ id: 4, kind: 'compiled', exitCode: 0 });
    expect(jobDirsLeft()).toEqual([]);
  });

  it('refuses output names with / or .. and keeps serving', async () => {
    const session = await openSession();
    const { spec, source } = await splitCompile(HELLO, project);
    const refusals: Array<[Partial<JobSpec>, string]> = [
      [{ output: '../hello.o' }, 'file name "../hello.o" is not a plain name inside the job dir'],
      [{ output: 'obj/hello.o' }, 'file name "obj/hello.o" is not a plain name inside the job dir'],
      [{ output: '/tmp/hello.o' }, 'file name "/tmp/hello.o" is not a plain name inside the job dir'],
      [{ output: '..' }, 'file name ".." is not a plain name inside the job dir'],
      [{ extraOutputs: ['x/../../hello.dwo'] }, 'file name "x/../../hello.dwo" is not a plain name inside the job dir'],
      [{ input: '../hello.i' }, 'file name "../hello.i" is not a plain name inside the job dir'],
    ];
    for (const [change, message] of refusals) {
      const result = await session.runJob({ ...spec, ...change }, source);
      expect(result).toMatchObject({ kind: 'refused', exitCode: null, message });
      expect(result.outputs.size).toBe(0);
    }
    expect(await session.runJob(spec, source)).toMatchObject({ kind: 'compiled', exitCode: 0 });
    expect(jobDirsLeft()).toEqual([]);
    expect(readdirSync(project).sort()).toEqual(['inc', 'obj', 'src']);
  });

  it('runs 20 jobs in a row on one channel, each object identical to a local compile', async () => {
    const { session, exited } = await openSessionChannel('subsystem');
    for (let i = 0; i < 20; i++) {
      const name = `unit${i}`;
      writeFiles(project, { [`src/${name}.c`]: `#include "shape.h"\nint value${i}(int x) { return SQUARE(x) + ${i}; }\n` });
      const line = `gcc -Iinc -O2 -c src/${name}.c -o obj/${name}.o`;
      const split = await splitCompile(line, project);
      const result = await session.runJob(split.spec, split.source);
      expect(result).toMatchObject({ id: i + 1, kind: 'compiled', exitCode: 0 });
      expect(result.outputs.get(`${name}.o`)?.equals(buildLocally(line, split, project).get(`${name}.o`) as Buffer)).toBe(true);
      rmSync(join(project, 'src', `${name}.c`));
    }
    expect(jobDirsLeft()).toEqual([]);
    await session.close();
    expect(await exited).toBe(0);
  });
});

describe('sshcc-server through a real sshd stops compiles', () => {
  let slow: { spec: JobSpec; source: Buffer };

  beforeAll(async () => {
    writeFiles(project, { 'src/slow.c': slowCSource() });
    const split = await splitCompile('gcc -O2 -c src/slow.c -o obj/slow.o', project);
    slow = { spec: split.spec, source: split.source };
  });

  it('kills the compiler and removes the job dir when the job is aborted, then serves the next job', async () => {
    const session = await openSession();
    const controller = new AbortController();
    const running = session.runJob(slow.spec, slow.source, { signal: controller.signal });
    expect(await waitUntil(() => compilersRunning().some((p) => p.name === 'cc1'), 10_000)).toBe(true);
    const cancelledAt = Date.now();
    controller.abort(new Error('make: *** [Makefile:9: slow.o] Interrupt'));
    await expect(running).rejects.toThrow('make: *** [Makefile:9: slow.o] Interrupt');
    expect(await waitUntil(() => compilersRunning().length === 0 && jobDirsLeft().length === 0)).toBe(true);
    // The compile alone takes ~10 s here: anything near that would mean it ran to its end.
    expect(Date.now() - cancelledAt).toBeLessThan(3000);
    const { spec, source } = await splitCompile(HELLO, project);
    expect(await session.runJob(spec, source)).toMatchObject({ id: 2, kind: 'compiled', exitCode: 0 });
    expect(jobDirsLeft()).toEqual([]);
  });

  it('kills the compiler and removes the job dir when the whole connection closes mid-compile', async () => {
    const client = await connect();
    const { channel } = await openChannel('subsystem', client);
    const session = await clientHandshake(channel);
    const running = session.runJob(slow.spec, slow.source);
    running.catch(() => undefined);
    expect(await waitUntil(() => compilersRunning().some((p) => p.name === 'cc1'), 10_000)).toBe(true);
    await endClient(client);
    await expect(running).rejects.toThrow(/channel closed during job 1/);
    expect(await waitUntil(() => compilersRunning().length === 0 && jobDirsLeft().length === 0)).toBe(true);
    // The session's sshd child and the server are gone too: only the listening sshd is left.
    expect(await waitUntil(() => volunteer.processes().length === 1)).toBe(true);
  });
});

describe('sshcc-server through a real sshd on broken frames', () => {
  const clientHello = controlFrame('hello', { protocol: 1, compression: 'none', client: 'raw-test' });

  it('answers text instead of the handshake with a protocol error and exits', async () => {
    const { channel } = await openChannel('subsystem');
    const exchange = await rawExchange(channel, (ch) => {
      ch.write('Welcome to volunteer!\nLast login: yesterday\n');
    });
    expect(exchange).toEqual({ frames: ['error: expected a frame, got text "Welcome to volunteer! Last login: yesterday"'], exitCode: EXIT_PROTOCOL });
    expect(jobDirsLeft()).toEqual([]);
  });

  it('answers binary garbage after the handshake with a protocol error and exits', async () => {
    const { channel } = await openChannel('subsystem');
    const exchange = await rawExchange(channel, (ch) => {
      ch.write(Buffer.concat([clientHello, Buffer.from([0, 0, 0, 4, 0xee, 0xde, 0xad, 0xbe, 0xef])]));
    });
    expect(exchange).toEqual({ frames: ['error: unknown frame type 0xee'], exitCode: EXIT_PROTOCOL });
    expect(jobDirsLeft()).toEqual([]);
  });

  it('refuses an oversized frame from its header alone and exits', async () => {
    const { channel } = await openChannel('subsystem');
    const exchange = await rawExchange(channel, (ch) => {
      // A job frame claiming 100 MiB, and no body: the server must not wait for one.
      ch.write(Buffer.concat([clientHello, Buffer.from([0x06, 0x40, 0x00, 0x00, 0x02])]));
    });
    expect(exchange).toEqual({ frames: ['error: job frame of 104857600 bytes exceeds the limit of 1048576'], exitCode: EXIT_PROTOCOL });
    expect(jobDirsLeft()).toEqual([]);
  });

  it('drops a stream truncated inside a frame mid-job and leaves no job dir', async () => {
    const { spec } = await splitCompile(HELLO, project);
    const data = encodeFrame('data', Buffer.from('int x;\n'.repeat(100)));
    const { channel } = await openChannel('subsystem');
    const exchange = await rawExchange(channel, async (ch) => {
      ch.write(Buffer.concat([clientHello, controlFrame('job', { ...spec, id: 1, sourceBytes: null }), data]));
      // The job passed the gate and its source is being written: its file exists now.
      expect(await waitUntil(() => jobDirsLeft().length === 1)).toBe(true);
      ch.end(data.subarray(0, 50));
    });
    expect(exchange).toEqual({ frames: ['error: stream ended inside a data frame (50 of 705 bytes)'], exitCode: EXIT_PROTOCOL });
    expect(jobDirsLeft()).toEqual([]);
  });

  it('drops a stream cut inside a frame header and exits', async () => {
    const { channel } = await openChannel('subsystem');
    const exchange = await rawExchange(channel, (ch) => {
      ch.end(Buffer.concat([clientHello, controlFrame('job', { id: 1 }).subarray(0, 3)]));
    });
    expect(exchange.frames).toEqual([expect.stringMatching(/^error: stream ended inside a frame header/)]);
    expect(exchange.exitCode).toBe(EXIT_PROTOCOL);
    expect(jobDirsLeft()).toEqual([]);
  });
});
