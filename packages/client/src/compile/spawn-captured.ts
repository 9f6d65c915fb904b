import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { CapturedRun } from '../wire/messages';

export interface SpawnCapturedOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The client's umask: files the compiler creates get the modes a compile run by the client would give. */
  readonly umask: number;
  readonly signal: AbortSignal;
  /** Output beyond this many bytes on either stream is a failure (the process is killed). */
  readonly maxOutputBytes: number;
  /** Each piece of stdout as it comes, for a caller that uses the output before the run ends. */
  readonly onStdout?: (chunk: Buffer) => void;
}

/**
 * Runs argv (argv[0] an absolute path) as the client would, capturing both streams. The process gets
 * its own group so an abort (the client went away) kills everything it started, not only the driver.
 */
export function spawnCaptured(argv: readonly string[], options: SpawnCapturedOptions): Promise<CapturedRun> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    // umask is process-wide; spawn forks synchronously, so setting it around the call is enough.
    const previous = process.umask(options.umask);
    let child;
    try {
      child = spawn(argv[0] as string, argv.slice(1), {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } finally {
      process.umask(previous);
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let failure: unknown = null;
    const killGroup = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const collect = (into: Buffer[], onChunk?: (chunk: Buffer) => void) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxOutputBytes) {
        failure ??= new Error(`${argv[0]} wrote more than ${options.maxOutputBytes} bytes`);
        killGroup();
        return;
      }
      into.push(chunk);
      onChunk?.(chunk);
    };
    child.stdout.on('data', collect(stdout, options.onStdout));
    child.stderr.on('data', collect(stderr));
    const onAbort = () => {
      failure ??= options.signal.reason;
      killGroup();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      failure ??= err;
    });
    child.on('close', (code, signalName) => {
      options.signal.removeEventListener('abort', onAbort);
      if (failure !== null) {
        reject(failure);
        return;
      }
      resolve({
        exitCode: code,
        signal: signalName === null ? null : (osConstants.signals[signalName] ?? null),
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
      });
    });
  });
}
