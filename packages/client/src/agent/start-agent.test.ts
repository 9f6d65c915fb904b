import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnswerDecoder, type DecodeStep } from '../wire/answer-decoder';
import { encodeCompileRequest, encodeRequestHeader, type CompileRequest } from '../wire/compile-request';
import { localAgentPaths } from '../wire/local-agent-paths';
import { WIRE_VERSION } from '../wire/wire-format';
import { removeDir } from '../thin/client-test-fixture';
import { queryAgent, stopAgent } from './agent-control';
import { startAgent } from './start-agent';
import type { Agent, AgentOptions, AgentPaths } from './types';
import type { CompileAnswer } from '../wire/messages';
import type { HandleCompile } from '../compile/handle-compile';

let root: string;
const agents: Agent[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sshcc-agent-'));
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  removeDir(root);
});

function pathsIn(dir: string): AgentPaths {
  return localAgentPaths({ SSHCC_DIR: dir });
}

async function started(options: AgentOptions & { paths: AgentPaths }): Promise<Agent> {
  const result = await startAgent({ idleTimeoutMs: 0, ...options });
  if (!result.started) throw new Error('the agent did not start');
  agents.push(result.agent);
  return result.agent;
}

function compileRequest(argv: string[] = ['gcc', '-c', 'a.c']): CompileRequest {
  return { argv, argv0: 'sshcc', cwd: root, env: { PATH: process.env.PATH ?? '' }, umask: 0o22, clientExe: '' };
}

/** Sends raw bytes; resolves with the decoded answer, or 'closed' when the agent hangs up without one. */
function exchange(paths: AgentPaths, bytes: Buffer): Promise<DecodeStep | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = connect(paths.socket);
    const decoder = new AnswerDecoder();
    let received = false;
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      received = true;
      const step = decoder.push(chunk);
      if (step.state !== 'more') {
        socket.destroy();
        resolve(step);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received ? decoder.end() : 'closed'));
  });
}

describe('startAgent', () => {
  it('serves compiles with the injected handler, and counts them', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const seen: CompileRequest[] = [];
    const answer: CompileAnswer = { kind: 'result', exitCode: 7, stdout: Buffer.from('out'), stderr: Buffer.from('err') };
    const agent = await started({ paths, handleCompile: async (request) => (seen.push(request), answer) });
    const step = await exchange(paths, encodeCompileRequest(compileRequest()));
    expect(step).toEqual({ state: 'done', answer: { kind: 'exit', code: 7, stdout: Buffer.from('out'), stderr: Buffer.from('err') } });
    expect(seen).toEqual([compileRequest()]);
    expect(agent.status()).toMatchObject({ pid: process.pid, socket: paths.socket, jobsServed: 1, jobsActive: 0 });
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.socket).mode & 0o777).toBe(0o600);
    expect(readFileSync(paths.pidFile, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('offers client preprocessing to version 2 clients only', async () => {
    const paths = pathsIn(join(root, 'versions'));
    const offered: boolean[] = [];
    await started({
      paths,
      handleCompile: async (_request, { preprocess }) => (offered.push(preprocess !== undefined), { kind: 'exec', argv: ['/bin/true'] }),
    });
    const current = encodeCompileRequest(compileRequest());
    const old = Buffer.from(current);
    old.writeUInt8(1, 4);
    await exchange(paths, current);
    await exchange(paths, old);
    expect(offered).toEqual([true, false]);
  });

  it('by default answers "exec the real compiler here", found on the client PATH', async () => {
    const paths = pathsIn(join(root, 'dir'));
    await started({ paths });
    const step = await exchange(paths, encodeCompileRequest(compileRequest(['gcc', '-c', 'a.c'])));
    const gcc = (process.env.PATH ?? '').split(':').map((d) => join(d, 'gcc')).find((p) => existsSync(p));
    expect(step).toEqual({ state: 'done', answer: { kind: 'exec', argv: [gcc, '-c', 'a.c'], stderr: Buffer.alloc(0) } });
  });

  it('answers a missing compiler with exit 104 and one line', async () => {
    const paths = pathsIn(join(root, 'dir'));
    await started({ paths });
    const step = await exchange(paths, encodeCompileRequest(compileRequest(['no-such-cc-xyz', '-c', 'a.c'])));
    expect(step).toEqual({
      state: 'done',
      answer: { kind: 'exit', code: 104, stdout: Buffer.alloc(0), stderr: Buffer.from('sshcc: compiler: no-such-cc-xyz is not on PATH (sshcc itself skipped)\n') },
    });
  });

  it('answers a local compile when the handler throws, and logs why', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const lines: string[] = [];
    await started({ paths, log: (line) => lines.push(line), handleCompile: async () => Promise.reject(new Error('pool on fire')) });
    const step = await exchange(paths, encodeCompileRequest(compileRequest(['sh', '-c', 'true'])));
    expect(step !== 'closed' && step.state === 'done' && step.answer.kind === 'exec' && step.answer.argv.slice(1)).toEqual(['-c', 'true']);
    expect(lines).toContain('job failed: pool on fire; the client compiles locally');
  });

  it('survives malformed requests: each costs its connection and one log line', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const lines: string[] = [];
    const agent = await started({ paths, log: (line) => lines.push(line), handleCompile: async () => ({ kind: 'exec', argv: ['/bin/true'] }) });
    const oversize = encodeRequestHeader('compile', 0xffffffff);
    const garbage = Buffer.from('\x00\xffhello agent, this is not a request\n');
    const badBody = Buffer.concat([encodeRequestHeader('compile', 12), Buffer.alloc(12)]);
    for (const bytes of [oversize, garbage, badBody]) expect(await exchange(paths, bytes)).toBe('closed');
    expect(lines.filter((line) => line.startsWith('malformed request'))).toEqual([
      `malformed request: body of ${0xffffffff} bytes is over the limit; connection closed`,
      'malformed request: bad magic; connection closed',
      'malformed request: argc 0 is out of range; connection closed',
    ]);
    expect(await exchange(paths, encodeCompileRequest(compileRequest()))).toEqual({ state: 'done', answer: { kind: 'exec', argv: ['/bin/true'], stderr: Buffer.alloc(0) } });
    expect(agent.status().jobsServed).toBe(1);
  });

  it('logs a request truncated by the client hanging up', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const lines: string[] = [];
    await started({ paths, log: (line) => lines.push(line) });
    const bytes = encodeCompileRequest(compileRequest()).subarray(0, 30);
    await new Promise<void>((resolve) => {
      const socket = connect(paths.socket, () => socket.end(bytes));
      socket.on('close', () => resolve());
    });
    await waitUntil(() => lines.some((line) => line.includes('request truncated after 30 bytes')));
  });

  it('aborts the job when the client closes its socket', async () => {
    const paths = pathsIn(join(root, 'dir'));
    let aborted!: () => void;
    const abortedPromise = new Promise<void>((resolve) => (aborted = resolve));
    let begun!: () => void;
    const begunPromise = new Promise<void>((resolve) => (begun = resolve));
    const handleCompile: HandleCompile = (_request, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted();
          reject(new Error('cancelled'));
        });
        begun();
      });
    const agent = await started({ paths, handleCompile });
    const socket = connect(paths.socket, () => socket.write(encodeCompileRequest(compileRequest())));
    await begunPromise;
    expect(agent.status().jobsActive).toBe(1);
    socket.destroy();
    await abortedPromise;
    await waitUntil(() => agent.status().jobsActive === 0 && agent.status().connections === 0);
  });

  it('refuses a second agent on the same socket, and replaces a stale socket', async () => {
    const paths = pathsIn(join(root, 'dir'));
    await makeStaleSocket(paths);
    await expect(queryAgent(paths)).resolves.toBeNull(); // the file is there, but refuses connections
    await started({ paths });
    expect(await startAgent({ paths })).toEqual({ started: false, reason: 'already-running' });
    expect(await queryAgent(paths)).toMatchObject({ pid: process.pid, socket: paths.socket });
  });

  it('exits when idle and removes its socket and pid file', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const agent = await started({ paths, idleTimeoutMs: 300 });
    await exchange(paths, encodeCompileRequest(compileRequest())); // activity restarts the clock
    expect(existsSync(paths.socket)).toBe(true);
    expect(await agent.stopped).toBe('idle');
    expect(existsSync(paths.socket)).toBe(false);
    expect(existsSync(paths.pidFile)).toBe(false);
  });

  it('does not go idle while a job runs', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const agent = await started({
      paths,
      idleTimeoutMs: 100,
      handleCompile: () => new Promise((resolve) => setTimeout(() => resolve({ kind: 'exec', argv: ['/bin/true'] }), 400)),
    });
    const step = await exchange(paths, encodeCompileRequest(compileRequest()));
    expect(step).toEqual({ state: 'done', answer: { kind: 'exec', argv: ['/bin/true'], stderr: Buffer.alloc(0) } });
    expect(await agent.stopped).toBe('idle');
  });

  it('stops on a stop request and reports what it served', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const agent = await started({ paths });
    await exchange(paths, encodeCompileRequest(compileRequest()));
    const status = await stopAgent(paths);
    expect(status).toMatchObject({ pid: process.pid, jobsServed: 1 });
    expect(await agent.stopped).toBe('stop-request');
    expect(await queryAgent(paths)).toBeNull();
    expect(await stopAgent(paths)).toBeNull();
  });

  it('steps aside for a client of a newer wire version, and frees the socket for the agent that client starts', async () => {
    const paths = pathsIn(join(root, 'dir'));
    const lines: string[] = [];
    const agent = await started({ paths, log: (line) => lines.push(line) });
    const newer = encodeCompileRequest(compileRequest());
    newer.writeUInt8(WIRE_VERSION + 1, 4);
    expect(await exchange(paths, newer)).toBe('closed');
    expect(await agent.stopped).toBe('superseded');
    expect(lines).toContain(`a client speaks socket protocol version ${WIRE_VERSION + 1}, newer than this agent's ${WIRE_VERSION}: stepping aside for the agent its client starts`);
    expect(existsSync(paths.socket)).toBe(false);
    await started({ paths }); // the start-up lock went with it
  });

  it('steps aside at the first connection after its own files were replaced', async () => {
    const paths = pathsIn(join(root, 'dir'));
    let replaced: string | null = null;
    const agent = await started({ paths, superseded: () => replaced });
    expect(await exchange(paths, encodeCompileRequest(compileRequest()))).toMatchObject({ state: 'done' });
    replaced = 'main.js was replaced';
    // Dropped at connect: the client's write may already fail (the C shim counts that as silence too).
    const dropped = await exchange(paths, encodeCompileRequest(compileRequest())).catch((err: NodeJS.ErrnoException) => err.code);
    expect(['closed', 'EPIPE', 'ECONNRESET']).toContain(dropped);
    expect(await agent.stopped).toBe('superseded');
    expect(agent.status().jobsServed).toBe(1);
  });

  it('uses the runtime fallback folder when the socket path would be too long', async () => {
    const dir = join(root, 'd'.repeat(110));
    const paths = localAgentPaths({ SSHCC_DIR: dir, XDG_RUNTIME_DIR: root });
    expect(paths.socket.startsWith(`${realpathSync(root)}/sshcc/agent-`) || paths.socket.startsWith(`${root}/sshcc/agent-`)).toBe(true);
    await started({ paths });
    expect(await queryAgent(paths)).toMatchObject({ socket: paths.socket });
  });
});

/** A socket file nobody listens on: a listener killed with SIGKILL leaves exactly that. */
async function makeStaleSocket(paths: AgentPaths): Promise<void> {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const script = `require('net').createServer().listen(${JSON.stringify(paths.socket)}, () => process.kill(process.pid, 'SIGKILL'))`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  expect(statSync(paths.socket).isSocket()).toBe(true);
}

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
