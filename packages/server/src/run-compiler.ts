import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { killProcessGroup, trackProcessGroup, untrackProcessGroup } from './sandbox';

export interface CompilerRunOptions {
  readonly path: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeLimitMs: number;
  /** Stdout and stderr together beyond this stop the compile. */
  readonly maxDiagnosticBytes: number;
  /** Aborting kills the compiler's process group at once. */
  readonly signal: AbortSignal;
  /** Given the compiler's stdin to write its input into; without it, stdin is empty. */
  readonly feedStdin?: (stdin: Writable) => void;
}

export interface CompilerRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly compileMs: number;
  /** Why sshcc killed the compiler, if it did. */
  readonly stopped: 'timeout' | 'diagnostics' | 'aborted' | null;
}

/**
 * Runs the compiler with an argv array (never a shell) in its own process group, so a cancel, a
 * timeout or a flood of diagnostics kills the driver and every cc1 and as it started together.
 * Resolves once all of them have closed their output; rejects only if the spawn itself failed.
 */
export function runCompiler(options: CompilerRunOptions): Promise<CompilerRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // stdin is a pipe either way (typed streams); with nothing to feed it is closed at once, as /dev/null reads.
    const child = spawn(options.path, [...options.args], { cwd: options.cwd, env: options.env, detached: true, stdio: 'pipe' });
    const pid = child.pid;
    child.stdin.on('error', () => undefined);
    if (options.feedStdin) options.feedStdin(child.stdin);
    else child.stdin.end();
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let diagnosticBytes = 0;
    let stopped: CompilerRun['stopped'] = null;
    const stop = (why: NonNullable<CompilerRun['stopped']>): void => {
      stopped ??= why;
      if (pid !== undefined) killProcessGroup(pid);
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      if (stopped) return;
      diagnosticBytes += chunk.length;
      if (diagnosticBytes > options.maxDiagnosticBytes) stop('diagnostics');
      else into.push(chunk);
    };
    const onAbort = (): void => stop('aborted');
    const timer = setTimeout(() => stop('timeout'), options.timeLimitMs);
    const finish = (): void => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (pid !== undefined) {
        // The driver is gone; anything it left in its group goes too.
        killProcessGroup(pid);
        untrackProcessGroup(pid);
      }
    };
    if (pid !== undefined) trackProcessGroup(pid);
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.once('error', (err) => {
      finish();
      reject(err);
    });
    child.once('close', (code, signal) => {
      finish();
      resolve({
        exitCode: code,
        signal,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        compileMs: performance.now() - started,
        stopped,
      });
    });
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  });
}
