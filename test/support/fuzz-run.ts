// Two ways to put a fuzzed sequence to sshcc-server: its serve loop in this process on memory streams
// (~1 ms a sequence, so thousands fit in seconds), and the built server as a child process on stdin and
// stdout, as sshd runs it (~100 ms, for exit codes and what only a whole process shows).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { memoryChannel } from '@sshcc/protocol';
import { serve } from '@sshcc/server';
import { treeActivity } from '@sshcc/testkit';
import type { FuzzSequence } from './fuzz-sequences';
import { ServerOutput } from './fuzz-output';

export const SERVER_BIN = resolve(__dirname, '../../packages/server/bin/sshcc-server.js');

/** A job's answer should take no longer than this even when it compiles; more is a hang. */
const ANSWER_TIMEOUT_MS = 15_000;
/** After its input ends the server must be done within this; a child process past it may still be working. */
const EXIT_TIMEOUT_MS = 10_000;
/** A child process past EXIT_TIMEOUT_MS is stuck once it has neither run nor gained CPU time for this long. */
const STUCK_MS = 3_000;

export interface FuzzObservation {
  /** serve()'s result, or the process's exit code; null when it never finished (or died of a signal). */
  readonly code: number | null;
  readonly signal: string | null;
  readonly output: ServerOutput;
  /** What the server wrote to stderr (its one `sshcc: ...` line when it dropped the client). */
  readonly stderr: string;
  /** Waits for an answer that never came. */
  readonly unanswered: number;
  readonly hung: boolean;
  /** Child processes only: the server's peak resident set (VmHWM) in bytes, when it could be read. */
  readonly peakRssBytes: number | null;
}

function timeout(ms: number): { promise: Promise<'timeout'>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * The child's exit, or 'timeout' once it is stuck. Past EXIT_TIMEOUT_MS, a server (or a compiler it
 * started) that still runs or gains CPU time is slow, not hung: on a loaded machine the wall clock
 * alone called a working server hung.
 */
async function exitUnlessStuck<T>(pid: number, exited: Promise<T>): Promise<T | 'timeout'> {
  const limit = timeout(EXIT_TIMEOUT_MS);
  let result = await Promise.race([exited, limit.promise]);
  limit.cancel();
  let last = treeActivity(pid);
  let stillSince = Date.now();
  while (result === 'timeout' && Date.now() - stillSince < STUCK_MS) {
    const tick = timeout(250);
    result = await Promise.race([exited, tick.promise]);
    tick.cancel();
    const now = treeActivity(pid);
    if (now.runnable || now.cpuTicks !== last.cpuTicks) stillSince = Date.now();
    last = now;
  }
  return result;
}

/** Writes the steps, waiting where they say, then ends the input. */
async function feed(sequence: FuzzSequence, write: (chunk: Buffer) => void, output: ServerOutput): Promise<number> {
  let unanswered = 0;
  for (const step of sequence.steps) {
    if (Buffer.isBuffer(step)) {
      if (output.ended) break;
      write(step);
      continue;
    }
    const answered = await output.until(() => output.count('end') >= step.waitForEnds, ANSWER_TIMEOUT_MS);
    if (!answered) unanswered++;
  }
  return unanswered;
}

/**
 * serve() on a memory channel with `env` as the server's environment. Its stderr line is captured
 * (and kept off the test's output), so runs must not overlap.
 */
export async function runInProcess(sequence: FuzzSequence, env: NodeJS.ProcessEnv): Promise<FuzzObservation> {
  const { client, server } = memoryChannel();
  const output = new ServerOutput();
  client.input.on('data', (chunk: Buffer) => output.push(chunk));
  client.input.on('end', () => output.end());
  let stderr = '';
  const realWrite = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const serving = serve(server, env);
    const unanswered = await feed(sequence, (chunk) => client.output.write(chunk), output);
    client.output.end();
    const limit = timeout(EXIT_TIMEOUT_MS);
    const code = await Promise.race([serving, limit.promise]);
    limit.cancel();
    if (code === 'timeout') return { code: null, signal: null, output, stderr, unanswered, hung: true, peakRssBytes: null };
    await output.until(() => false, 1000);
    return { code, signal: null, output, stderr, unanswered, hung: false, peakRssBytes: null };
  } finally {
    process.stderr.write = realWrite;
  }
}

/** The built sshcc-server as a child process, fed on stdin, read on stdout. */
export async function runProcess(sequence: FuzzSequence, env: NodeJS.ProcessEnv): Promise<FuzzObservation> {
  const child = spawn(process.execPath, [SERVER_BIN], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const output = new ServerOutput();
  let stderr = '';
  let peakRssBytes: number | null = null;
  const samplePeak = (): void => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakRssBytes = Math.max(peakRssBytes ?? 0, Number(match[1]) * 1024);
    } catch {
      // already gone
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    samplePeak();
    output.push(chunk);
  });
  child.stdout.on('end', () => output.end());
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The server may exit before reading all we write (it refused a frame): EPIPE is expected then.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  // 'exit' can come before the last of stderr is read (seen under load: a protocol error's line missing).
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  const unanswered = await feed(sequence, (chunk) => child.stdin.write(chunk), output);
  samplePeak();
  child.stdin.end();
  const result = await exitUnlessStuck(child.pid as number, exited);
  if (result === 'timeout') {
    child.kill('SIGKILL');
    await exited;
    return { code: null, signal: null, output, stderr, unanswered, hung: true, peakRssBytes };
  }
  await Promise.all([output.until(() => false, 1000), closed]);
  return { code: result.code, signal: result.signal, output, stderr, unanswered, hung: false, peakRssBytes };
}
