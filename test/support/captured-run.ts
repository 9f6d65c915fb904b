// Runs a command the way a user would from a terminal, to its end, and keeps what it printed, for the
// tests that check sshcc's own words and exit code. Asynchronous: the test process may be serving it.
import { spawn } from 'node:child_process';

export interface CapturedRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `argv` with no stdin; resolves once it has exited and closed its output. */
export function runCaptured(argv: readonly string[], options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }): Promise<CapturedRun> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
