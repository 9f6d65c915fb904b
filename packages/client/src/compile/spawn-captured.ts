import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
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
 * The compiler is started through sh, which first leaves a guard in the compiler's process group and
 * then execs the compiler (same pid, so its exit status and signals are the compiler's own). The guard
 * reads fd 3, a pipe whose other end only this process holds: a line there (written once the compiler
 * has ended) lets it exit quietly; end of file means this process died first (SIGKILL, say: the kernel
 * closed its end), and the guard kills the whole group, `-$$` (the compiler's pid is the group's): the
 * driver, cc1, as, and itself. Otherwise a compile would run on after the agent, writing its target
 * beside the local compile the client falls back to. Node has no prctl(PR_SET_PDEATHSIG), which would
 * anyway reach only the driver. The guard holds none of the compiler's stdio; the compiler gets no fd 3.
 * sh sets PWD when the build's is unset or stale; it is put back as the build had it (bash as /bin/sh
 * also sets SHLVL, which no compiler reads). $1 is that PWD, then the compiler's argv.
 */
const GUARDED_EXEC = '{ read -r _ <&3 || kill -s KILL -- -$$; } </dev/null >/dev/null 2>&1 & exec 3<&-; ';

function guardedArgv(argv: readonly string[], pwd: string | undefined): string[] {
  const restorePwd = pwd === undefined ? 'unset PWD; ' : 'PWD=$1; ';
  return ['-c', `${GUARDED_EXEC}${restorePwd}shift; exec "$@"`, 'sh', pwd ?? '', ...argv];
}

/**
 * Runs argv (argv[0] an absolute path) as the client would, capturing both streams. The process gets
 * its own group so an abort (the client went away) kills everything it started, not only the driver;
 * and the group dies with this process (see GUARDED_EXEC).
 */
export function spawnCaptured(argv: readonly string[], options: SpawnCapturedOptions): Promise<CapturedRun> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const compiler = argv[0] as string;
    // What spawning it directly would fail with, which sh would only report as exit 126 or 127.
    try {
      accessSync(compiler, fsConstants.X_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
      reject(Object.assign(new Error(`spawn ${compiler} ${code}`), { code, syscall: `spawn ${compiler}`, path: compiler, spawnargs: argv.slice(1) }));
      return;
    }
    // umask is process-wide; spawn forks synchronously, so setting it around the call is enough.
    const previous = process.umask(options.umask);
    let child;
    try {
      child = spawn('/bin/sh', guardedArgv(argv, options.env.PWD), {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        // Its own session, hence its own process group: what killGroup and the guard kill.
        detached: true,
      });
    } finally {
      process.umask(previous);
    }
    // Pipes, each of them: spawn was given 'pipe' for 1, 2 and 3.
    const [, stdoutPipe, stderrPipe, guard] = child.stdio as unknown as [null, Readable, Readable, Writable];
    guard.on('error', () => undefined); // the guard already died with its group
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
        failure ??= new Error(`${compiler} wrote more than ${options.maxOutputBytes} bytes`);
        killGroup();
        return;
      }
      into.push(chunk);
      onChunk?.(chunk);
    };
    stdoutPipe.on('data', collect(stdout, options.onStdout));
    stderrPipe.on('data', collect(stderr));
    const onAbort = () => {
      failure ??= options.signal.reason;
      killGroup();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      failure ??= err;
    });
    // The compiler ended: the guard may go, leaving the group alone. Our end closes once the line is
    // out, so 'close' does not wait on the guard.
    child.on('exit', () => guard.end('\n', () => guard.destroy()));
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
