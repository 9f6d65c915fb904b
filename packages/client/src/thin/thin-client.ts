import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { SshccError, exitCodeOf, formatError } from '@sshcc/core';
import { findRealCompiler } from '../masquerade/find-real-compiler';
import type { AgentLaunch } from './agent-launch';
import type { AgentPaths } from '../wire/agent-paths';
import { AnswerDecoder, type AgentAnswer } from '../wire/answer-decoder';
import { encodeCompileRequest, type CompileRequest } from '../wire/compile-request';
import { connectOrStartAgent } from './connect-agent';
import { exitLike } from './exit-like';
import { DEPTH_VAR, FALLBACK_VAR, MAX_DEPTH, currentDepth } from './handover-env';
import { relayPreprocessor } from './relay-preprocessor';
import { runLocally } from './run-locally';
import { writeAll } from './write-all';

export interface ThinClientInput {
  /** The compiler command line (argv[0] = the compiler as the build named it). */
  readonly argv: readonly string[];
  /** How sshcc was invoked. */
  readonly argv0: string;
  /** The sshcc executable, skipped when looking for the real compiler. */
  readonly self: string;
  /** The build's environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly umask: number;
  readonly paths: AgentPaths;
  readonly launch: AgentLaunch;
  /** Set when a launcher already failed to reach the agent: why. */
  readonly noAgent?: string | undefined;
}

const INTERRUPTS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * One compile: ask the agent and do what it answers (exec the compiler here, or print its result);
 * with no agent to be had, compile here, so a build never breaks (unless SSHCC_FALLBACK=0).
 */
export async function runThinClient(input: ThinClientInput): Promise<never> {
  if (input.argv.length === 0) return fail(new SshccError('usage', 'no compiler given', { hint: 'sshcc gcc -c foo.c' }));
  const depth = currentDepth(input.env);
  const compilerEnv = { ...input.env, [DEPTH_VAR]: String(depth + 1) };
  if (depth >= MAX_DEPTH) {
    return fail(new SshccError('compiler-not-found', `${input.argv[0]} leads back to sshcc ${depth} times`, {
      hint: 'a masquerade link or wrapper earlier on PATH runs sshcc again; check PATH',
    }));
  }
  if (depth > 0) return compileHere(input, compilerEnv);

  let why = input.noAgent;
  // An agent that closes without a word gives way to a newer one (agent/README.md): once more, which
  // starts the agent of this install. A second silence is a failure like any other, as in the C shim.
  for (let attempt = 0; why === undefined; attempt++) {
    const connection = await connectOrStartAgent(input.paths, input.launch);
    if (!connection.ok) {
      why = connection.why;
      break;
    }
    const answer = await exchange(connection.socket, requestOf(input), compilerEnv);
    if (answer.ok) return act(answer.answer, compilerEnv);
    if (!answer.silent || attempt > 0) why = answer.why;
  }
  if (input.env[FALLBACK_VAR] === '0') return fail(new SshccError('agent-unavailable', why));
  return compileHere(input, compilerEnv);
}

function requestOf(input: ThinClientInput): CompileRequest {
  return { argv: input.argv, argv0: input.argv0, cwd: input.cwd, env: input.env, umask: input.umask, clientExe: input.self };
}

/** `silent`: the agent closed before sending a byte (an end, a reset, or our write refused). */
type Exchange = { ok: true; answer: AgentAnswer } | { ok: false; why: string; silent: boolean };

/**
 * Sends the request and reads the answer. Interrupted meanwhile: the socket closes (which cancels the
 * job in the agent), a preprocessor running for the agent is killed (in its own process group, the
 * signal did not reach it) and the client exits 128 + signal, as the shim does.
 */
function exchange(socket: Socket, request: CompileRequest, compilerEnv: Readonly<Record<string, string>>): Promise<Exchange> {
  let stopPreprocessor: (() => void) | undefined;
  for (const name of INTERRUPTS) {
    process.on(name, () => {
      socket.destroy();
      stopPreprocessor?.();
      process.exit(128 + (constants.signals[name] ?? 0));
    });
  }
  return new Promise((resolve) => {
    const decoder = new AnswerDecoder();
    let received = false;
    const settle = (result: Exchange) => {
      stopPreprocessor?.();
      socket.removeAllListeners('data');
      socket.destroy();
      resolve(result);
    };
    socket.on('data', (chunk: Buffer) => {
      received = true;
      let step = decoder.push(chunk);
      while (step.state === 'preprocess') {
        stopPreprocessor = relayPreprocessor(socket, step.argv, compilerEnv);
        step = decoder.push(Buffer.alloc(0));
      }
      if (step.state === 'done') settle({ ok: true, answer: step.answer });
      else if (step.state === 'bad') settle({ ok: false, why: `bad answer from the agent: ${step.why}`, silent: false });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const silent = !received && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      settle({ ok: false, why: `agent connection failed: ${err.code ?? err.message}`, silent });
    });
    socket.on('end', () => {
      const step = decoder.end();
      if (step.state === 'bad') settle({ ok: false, why: step.why, silent: !received });
    });
    socket.write(encodeCompileRequest({ ...request, stderrIsTerminal: process.stderr.isTTY === true }));
  });
}

function act(answer: AgentAnswer, compilerEnv: Readonly<Record<string, string>>): Promise<never> {
  for (const name of INTERRUPTS) process.removeAllListeners(name);
  switch (answer.kind) {
    case 'exec':
      writeAll(2, answer.stderr);
      return runLocally(answer.argv, compilerEnv);
    case 'exit':
      writeAll(1, answer.stdout);
      writeAll(2, answer.stderr);
      return exitLike(answer.code, null);
    case 'signal':
      writeAll(1, answer.stdout);
      writeAll(2, answer.stderr);
      return exitLike(null, answer.signal);
    case 'status':
      return fail(new SshccError('protocol', 'the agent answered a compile with its status'));
  }
}

function compileHere(input: ThinClientInput, compilerEnv: Readonly<Record<string, string>>): Promise<never> {
  const compiler = input.argv[0] as string;
  const real = findRealCompiler(compiler, { path: input.env.PATH, cwd: input.cwd, self: input.self });
  if (real === undefined) return fail(new SshccError('compiler-not-found', `${compiler} is not on PATH (sshcc itself skipped)`));
  return runLocally([real, ...input.argv.slice(1)], compilerEnv);
}

function fail(err: SshccError): never {
  writeAll(2, Buffer.from(`${formatError(err)}\n`));
  process.exit(exitCodeOf(err));
}
