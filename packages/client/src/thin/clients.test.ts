// Both per-compile clients, the C shim and the TS thin client (behind its sh launcher), through one
// table: as a build would run them, against a spawned agent or one started in this process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { queryAgent } from '../agent/agent-control';
import { startAgent } from '../agent/start-agent';
import type { Agent } from '../agent/types';
import type { CompileRequest } from '../wire/messages';
import type { HandleCompile } from '../compile/handle-compile';
import { localAgentPaths } from '../wire/local-agent-paths';
import {
  CLIENT_KINDS,
  buildClients,
  cleanUpClients,
  clientEnv,
  endProcessesMarkedWith,
  okSourceDir,
  processesMarkedWith,
  run,
  start,
  waitFor,
  type ClientBuilds,
} from './client-test-fixture';

let builds: ClientBuilds;
let work: string;
let caseDir: string;
let cases = 0;
const inProcess: Agent[] = [];

beforeAll(() => {
  builds = buildClients();
  work = okSourceDir('sshcc-thin-');
  writeFileSync(join(work, 'bad.c'), 'int a;\n#warning careful\n#error boom\nint b = ;\n');
}, 60_000);

afterAll(() => cleanUpClients(builds, work));

beforeEach(() => {
  caseDir = join(work, `case-${++cases}`);
});

afterEach(async () => {
  await Promise.all(inProcess.splice(0).map((agent) => agent.close()));
  await endProcessesMarkedWith(`SSHCC_DIR=${caseDir}\0`);
});

const agentsOf = (dir: string) => processesMarkedWith(`SSHCC_DIR=${dir}\0`);

/** The `sleep` processes a case's clients started (they inherit its SSHCC_DIR). */
function sleepersOf(dir: string): number[] {
  return processesMarkedWith(`SSHCC_DIR=${dir}\0`).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'sleep';
    } catch {
      return false; // gone meanwhile
    }
  });
}

async function agentInProcess(handleCompile: HandleCompile): Promise<Agent> {
  const result = await startAgent({ paths: localAgentPaths({ SSHCC_DIR: caseDir }), idleTimeoutMs: 0, handleCompile });
  if (!result.started) throw new Error('agent did not start');
  inProcess.push(result.agent);
  return result.agent;
}

describe.each(CLIENT_KINDS)('%s client', (kind) => {
  const sshcc = () => builds.sshcc(kind);

  it('compiles through an agent it starts: the object equals a direct gcc compile', async () => {
    const result = await run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-ok.o`], { cwd: work, env: clientEnv(caseDir) });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr.toString()).toBe('');
    expect(readFileSync(join(work, `${kind}-ok.o`)).equals(readFileSync(join(work, 'direct.o')))).toBe(true);
    const status = await queryAgent(localAgentPaths({ SSHCC_DIR: caseDir }));
    expect(status?.jobsServed).toBe(1);
    expect(agentsOf(caseDir)).toEqual([status?.pid]);
  });

  it.each([
    ['a failing compile with output on both streams', ['gcc', '-E', '-P', 'bad.c']],
    ['a missing input (gcc names itself in the message)', ['gcc', '-c', 'missing.c']],
    ['a link, which the agent leaves to the client', ['gcc', 'bad.c', '-o', 'never']],
  ])('passes %s through exactly', async (_name, argv) => {
    const direct = await run(argv, { cwd: work, env: clientEnv(caseDir) });
    const viaSshcc = await run([sshcc(), ...argv], { cwd: work, env: clientEnv(caseDir) });
    expect(direct.code).not.toBe(0);
    expect(viaSshcc.code).toBe(direct.code);
    expect(viaSshcc.stdout.toString()).toBe(direct.stdout.toString());
    expect(viaSshcc.stderr.toString()).toBe(direct.stderr.toString());
  });

  it("writes a result answer's exact bytes and exits with its code", async () => {
    const stdout = Buffer.concat([Buffer.from('out\0put '), Buffer.from([0xff, 0xfe]), Buffer.alloc(300_000, 0x61)]);
    const stderr = Buffer.from('a.c:1:1: error: from far away\n');
    const seen: CompileRequest[] = [];
    await agentInProcess(async (request) => (seen.push(request), { kind: 'result', exitCode: 3, stdout, stderr }));
    const env = clientEnv(caseDir, { MARKER: 'a b=c' });
    const result = await run([sshcc(), 'cc', '-c', 'ok.c', ''], { cwd: work, env });
    expect(result.code).toBe(3);
    expect(result.stdout.equals(stdout)).toBe(true);
    expect(result.stderr.equals(stderr)).toBe(true);
    expect(seen).toHaveLength(1);
    const request = seen[0] as CompileRequest;
    expect(request).toMatchObject({ argv: ['cc', '-c', 'ok.c', ''], cwd: realpathSync(work), umask: process.umask(), clientExe: realpathSync(sshcc()) });
    expect(request.argv0.endsWith('sshcc')).toBe(true);
    expect(request.env.MARKER).toBe('a b=c');
    expect(Object.keys(request.env).filter((name) => name.startsWith('SSHCC_HANDOVER'))).toEqual([]);
    expect(request.env.NODE_EXTRA_CA_CERTS).toBe(process.env.NODE_EXTRA_CA_CERTS);
  });

  it('runs the preprocessor the agent asks for, here, and streams back its output, diagnostics and end', async () => {
    const runs: { argv: readonly string[]; run: unknown }[] = [];
    const big = join(work, `${kind}-big.c`);
    // Past a pipe's 64 KiB, so the output arrives in several frames.
    writeFileSync(big, Array.from({ length: 20_000 }, (_, i) => `int v${i} = ${i};\n`).join('') + '#warning from cpp\n');
    await agentInProcess(async (request, { preprocess, signal }) => {
      if (preprocess === undefined) throw new Error('a current client must offer to preprocess');
      const argv = ['/bin/sh', '-c', 'gcc -E -P "$1"; echo "umask $(umask) cwd $(pwd) depth $SSHCC_DEPTH marker $MARKER" >&2; exit 3', 'sh', big];
      const run = await preprocess(argv, { maxOutputBytes: 1 << 20, signal });
      runs.push({ argv: request.argv, run });
      return { kind: 'result', exitCode: 0, stdout: Buffer.from('done\n'), stderr: Buffer.alloc(0) };
    });
    const result = await run([sshcc(), 'gcc', '-c', 'x.c'], { cwd: work, env: clientEnv(caseDir, { MARKER: 'here' }) });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stdout.toString()).toBe('done\n');
    const direct = execFileSync('gcc', ['-E', '-P', big], { cwd: work, stdio: ['ignore', 'pipe', 'ignore'] });
    const got = runs[0]?.run as { exitCode: number; signal: number | null; stdout: Buffer; stderr: Buffer };
    expect(got.exitCode).toBe(3);
    expect(got.signal).toBeNull();
    expect(got.stdout.equals(direct)).toBe(true);
    const umask = `0${process.umask().toString(8).padStart(3, '0')}`;
    expect(got.stderr.toString()).toContain('warning: #warning from cpp');
    expect(got.stderr.toString()).toContain(`umask ${umask} cwd ${realpathSync(work)} depth 1 marker here\n`);
  });

  it('reports a preprocessor killed by a signal, and one that cannot be run', async () => {
    const runs: unknown[] = [];
    await agentInProcess(async (_request, { preprocess, signal }) => {
      if (preprocess === undefined) throw new Error('no preprocess offered');
      runs.push(await preprocess(['/bin/sh', '-c', 'kill -TERM $$'], { maxOutputBytes: 1 << 20, signal }));
      return { kind: 'result', exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    });
    expect(await run([sshcc(), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir) })).toMatchObject({ code: 0 });
    expect(runs[0]).toMatchObject({ exitCode: null, signal: 15 });
  });

  it('stops the preprocessor when the agent answers first, and acts on the answer', async () => {
    await agentInProcess(async (_request, { preprocess, signal }) => {
      if (preprocess === undefined) throw new Error('no preprocess offered');
      // A run past its limit ends at once as failed; the agent then answers while the client still runs it.
      const run = await preprocess(['/bin/sh', '-c', 'yes preprocessed; sleep 600'], { maxOutputBytes: 100_000, signal });
      return { kind: 'result', exitCode: run.exitCode === null ? 7 : 1, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    });
    const started = Date.now();
    const result = await run([sshcc(), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir) });
    expect(result).toMatchObject({ code: 7, signal: null });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(execFileSync('ps', ['-eo', 'args']).toString()).not.toContain('yes preprocessed');
  });

  /** A preprocessor that starts a child of its own, as gcc -E starts cc1, and then waits for it. */
  const PREPROCESSOR_WITH_A_CHILD = ['/bin/sh', '-c', 'sleep 600 & sleep 601'];
  /** The agent's handler for the cases below: the preprocessor runs until the client stops it. */
  const preprocessUntilStopped: HandleCompile = async (_request, { preprocess, signal }) => {
    if (preprocess === undefined) throw new Error('no preprocess offered');
    await preprocess(PREPROCESSOR_WITH_A_CHILD, { maxOutputBytes: 1 << 20, signal });
    throw new Error('the preprocessor ended by itself');
  };

  it('the agent gone mid-preprocess: stops everything the preprocessor started, not only it, and compiles here', async () => {
    const agent = await agentInProcess(preprocessUntilStopped);
    const client = start([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-agent-gone.o`], { cwd: work, env: clientEnv(caseDir) });
    await waitFor(() => sleepersOf(caseDir).length === 2, 10_000, 'the preprocessor and its child');
    // Its connections close as the kernel closes them when an agent dies.
    await agent.close();
    const result = await client.done;
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr.toString()).toBe('');
    expect(readFileSync(join(work, `${kind}-agent-gone.o`)).equals(readFileSync(join(work, 'direct.o')))).toBe(true);
    await waitFor(() => sleepersOf(caseDir).length === 0, 5000, 'nothing of the preprocessor left');
  });

  it('interrupted mid-preprocess: stops everything the preprocessor started (its own process group, which the signal missed) and exits 143', async () => {
    await agentInProcess(preprocessUntilStopped);
    const client = start([sshcc(), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir) });
    await waitFor(() => sleepersOf(caseDir).length === 2, 10_000, 'the preprocessor and its child');
    client.child.kill('SIGTERM');
    expect(await client.done).toMatchObject({ code: 143, signal: null });
    await waitFor(() => sleepersOf(caseDir).length === 0, 5000, 'nothing of the preprocessor left');
  });

  if (kind === 'shim') {
    it('SIGKILLed mid-preprocess: the preprocessor dies with it (PR_SET_PDEATHSIG)', async () => {
      await agentInProcess(async (_request, { preprocess, signal }) => {
        if (preprocess === undefined) throw new Error('no preprocess offered');
        await preprocess(['/bin/sleep', '602'], { maxOutputBytes: 1 << 20, signal });
        throw new Error('the preprocessor ended by itself');
      });
      const client = start([sshcc(), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir) });
      await waitFor(() => sleepersOf(caseDir).length === 1, 10_000, 'the preprocessor');
      client.child.kill('SIGKILL');
      expect(await client.done).toMatchObject({ code: null, signal: 'SIGKILL' });
      await waitFor(() => sleepersOf(caseDir).length === 0, 5000, 'the preprocessor gone');
    });
  }

  it('prints the note an exec answer carries, then runs the compiler', async () => {
    await agentInProcess(async (request) => ({ kind: 'exec', argv: ['/bin/echo', ...request.argv.slice(1)], stderr: Buffer.from('sshcc: note\n') }));
    const result = await run([sshcc(), 'gcc', 'one', 'two'], { cwd: work, env: clientEnv(caseDir) });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stdout.toString()).toBe('one two\n');
    expect(result.stderr.toString()).toBe('sshcc: note\n');
  });

  it('dies by the signal a result answer reports', async () => {
    await agentInProcess(async () => ({ kind: 'result', exitCode: 0, signal: 15, stdout: Buffer.alloc(0), stderr: Buffer.from('killed\n') }));
    const result = await run([sshcc(), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir) });
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(result.stderr.toString()).toBe('killed\n');
  });

  it('compiles locally when no agent can start, and fails with 105 under SSHCC_FALLBACK=0', async () => {
    const failing = join(work, 'failing-agent.js');
    writeFileSync(failing, 'process.exit(3);\n');
    const env = clientEnv(caseDir, { SSHCC_AGENT_ENTRY: failing });
    const local = await run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-local.o`], { cwd: work, env });
    expect(local).toMatchObject({ code: 0, signal: null });
    expect(local.stderr.toString()).toBe('');
    expect(readFileSync(join(work, `${kind}-local.o`)).equals(readFileSync(join(work, 'direct.o')))).toBe(true);

    const strict = await run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-strict.o`], { cwd: work, env: { ...env, SSHCC_FALLBACK: '0' } });
    expect(strict.code).toBe(105);
    const logFile = localAgentPaths({ SSHCC_DIR: caseDir }).logFile;
    expect(strict.stderr.toString()).toBe(`sshcc: agent: the agent exited at start-up (code 3; see ${logFile})\n`);
    expect(existsSync(join(work, `${kind}-strict.o`))).toBe(false);
  });

  it('compiles locally when the agent answers garbage', async () => {
    const paths = localAgentPaths({ SSHCC_DIR: caseDir });
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const server = createServer((socket) => socket.resume().end(Buffer.from([11, 0, 0, 0, 0])));
    await new Promise<void>((resolve) => server.listen(paths.socket, resolve));
    try {
      const result = await run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-garbage.o`], { cwd: work, env: clientEnv(caseDir) });
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(readFileSync(join(work, `${kind}-garbage.o`)).equals(readFileSync(join(work, 'direct.o')))).toBe(true);
      const strict = await run([sshcc(), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir, { SSHCC_FALLBACK: '0' }) });
      expect(strict.code).toBe(105);
      expect(strict.stderr.toString()).toBe('sshcc: agent: bad answer from the agent: unknown frame kind\n'.replace('kind\n', kind === 'ts' ? 'kind 11\n' : 'kind\n'));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('meets an agent that gives way (closes without a word): starts the next one and compiles through it', async () => {
    const old = await startAgent({ paths: localAgentPaths({ SSHCC_DIR: caseDir }), idleTimeoutMs: 0, superseded: () => 'its files were replaced' });
    if (!old.started) throw new Error('agent did not start');
    inProcess.push(old.agent);
    const result = await run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-successor.o`], { cwd: work, env: clientEnv(caseDir, { SSHCC_FALLBACK: '0' }) });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(await old.agent.stopped).toBe('superseded');
    const successor = await queryAgent(localAgentPaths({ SSHCC_DIR: caseDir }));
    expect(successor?.pid).not.toBe(process.pid);
    expect(successor?.jobsServed).toBe(1);
  });

  it('ends with one agent when several clients start it at once', async () => {
    const env = clientEnv(caseDir);
    const results = await Promise.all(
      [1, 2, 3].map((n) => run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-race-${n}.o`], { cwd: work, env })),
    );
    for (const result of results) expect(result).toMatchObject({ code: 0, signal: null });
    const status = await queryAgent(localAgentPaths({ SSHCC_DIR: caseDir }));
    expect(status?.jobsServed).toBe(3);
    await waitFor(() => agentsOf(caseDir).length === 1, 5000, 'the losing agents to exit');
    expect(agentsOf(caseDir)).toEqual([status?.pid]);
  });

  it('replaces a stale socket file', async () => {
    const paths = localAgentPaths({ SSHCC_DIR: caseDir });
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const script = `require('net').createServer().listen(${JSON.stringify(paths.socket)}, () => process.kill(process.pid, 'SIGKILL'))`;
    await run([process.execPath, '-e', script], { cwd: work, env: clientEnv(caseDir) });
    expect(await queryAgent(paths)).toBeNull();
    expect(existsSync(paths.socket)).toBe(true);
    const result = await run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-stale.o`], { cwd: work, env: clientEnv(caseDir) });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect((await queryAgent(paths))?.jobsServed).toBe(1);
  });

  it('killed mid-job: closes its socket (the job is aborted) and exits 143', async () => {
    let begun!: () => void;
    const begunPromise = new Promise<void>((resolve) => (begun = resolve));
    let aborted!: () => void;
    const abortedPromise = new Promise<void>((resolve) => (aborted = resolve));
    await agentInProcess((_request, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted();
          reject(new Error('cancelled'));
        });
        begun();
      }),
    );
    const client = start([sshcc(), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir) });
    await begunPromise;
    client.child.kill('SIGTERM');
    const result = await client.done;
    expect(result).toMatchObject({ code: 143, signal: null });
    await abortedPromise;
  });

  it('finds the agent beside an over-long SSHCC_DIR, where C and TS must pick the same socket', async () => {
    const longDir = join(caseDir, 'x'.repeat(120));
    const runtime = join(caseDir, 'run');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    const env = clientEnv(longDir, { XDG_RUNTIME_DIR: runtime });
    const result = await run([sshcc(), 'gcc', '-c', 'ok.c', '-o', `${kind}-long.o`], { cwd: work, env });
    expect(result).toMatchObject({ code: 0, signal: null });
    const paths = localAgentPaths({ SSHCC_DIR: longDir, XDG_RUNTIME_DIR: runtime });
    expect(paths.fallback).toBe('socket-path-too-long');
    expect(readdirSync(join(runtime, 'sshcc')).sort()).toEqual([paths.logFile, paths.pidFile, paths.socket].map((p) => p.slice(p.lastIndexOf('/') + 1)).sort());
    expect((await queryAgent(paths))?.jobsServed).toBe(1);
    await endProcessesMarkedWith(`SSHCC_DIR=${longDir}\0`);
  });

  it('sends subcommands, options and a bare sshcc to the CLI', async () => {
    const cli = join(builds.dist(kind), 'cli');
    mkdirSync(cli, { recursive: true });
    writeFileSync(join(cli, 'main.js'), 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
    for (const args of [['agent', 'status', '--json'], ['--version'], [], ['masquerade', '/x']]) {
      const result = await run([sshcc(), ...args], { cwd: work, env: clientEnv(caseDir) });
      expect(JSON.parse(result.stdout.toString())).toEqual(args);
    }
    expect(agentsOf(caseDir)).toEqual([]);
  });
});

describe('the thin client bundle', () => {
  it('is one file that requires Node built-ins only', () => {
    const bundle = readFileSync(join(builds.dist('ts'), 'sshcc-thin.js'), 'utf8');
    const required = [...bundle.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => (match[1] as string).replace(/^node:/, ''));
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !builtinModules.includes(name))).toEqual([]);
  });
});

describe('the spawned agent process', () => {
  const agentMain = () => join(builds.dist('shim'), 'agent', 'main.js');

  it('exits after SSHCC_AGENT_IDLE seconds without work and removes its socket', async () => {
    const paths = localAgentPaths({ SSHCC_DIR: caseDir });
    const agent = start([process.execPath, agentMain()], { cwd: '/', env: clientEnv(caseDir, { SSHCC_AGENT_IDLE: '0.5' }) });
    await waitFor(() => existsSync(paths.pidFile), 5000, 'the pid file');
    expect(readFileSync(paths.pidFile, 'utf8')).toBe(`${agent.child.pid}\n`);
    expect(await agent.done).toMatchObject({ code: 0, signal: null });
    expect(existsSync(paths.socket)).toBe(false);
    expect(existsSync(paths.pidFile)).toBe(false);
    expect(readFileSync(paths.logFile, 'utf8')).toMatch(/agent stopped \(idle\)\n$/);
  });

  it('exits cleanly on SIGTERM', async () => {
    const paths = localAgentPaths({ SSHCC_DIR: caseDir });
    const agent = start([process.execPath, agentMain()], { cwd: '/', env: clientEnv(caseDir) });
    await waitFor(() => existsSync(paths.pidFile), 5000, 'the pid file');
    agent.child.kill('SIGTERM');
    expect(await agent.done).toMatchObject({ code: 0, signal: null });
    expect(existsSync(paths.socket)).toBe(false);
  });

  it('exits 0 at once when another agent already serves the socket', async () => {
    await agentInProcess(async () => ({ kind: 'exec', argv: ['/bin/true'] }));
    const second = await run([process.execPath, agentMain()], { cwd: '/', env: clientEnv(caseDir) });
    expect(second).toMatchObject({ code: 0, signal: null });
  });

  it('refuses a folder others can write to, and clients then compile locally', async () => {
    mkdirSync(caseDir, { mode: 0o777 });
    execFileSync('chmod', ['0777', caseDir]);
    const paths = localAgentPaths({ SSHCC_DIR: caseDir });
    // The agent would tighten it; the client must not trust it before that.
    const server = createServer((socket) => socket.resume().destroy());
    await new Promise<void>((resolve) => server.listen(paths.socket, resolve));
    try {
      for (const kind of CLIENT_KINDS) {
        const strict = await run([builds.sshcc(kind), 'gcc', '-c', 'ok.c'], { cwd: work, env: clientEnv(caseDir, { SSHCC_FALLBACK: '0' }) });
        expect(strict.code).toBe(105);
        expect(strict.stderr.toString()).toBe(`sshcc: agent: ${caseDir} is writable by others (mode 777)\n`);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
