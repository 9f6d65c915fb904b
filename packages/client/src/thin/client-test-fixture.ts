// Test support for the client tests (not used by sshcc itself): builds both per-compile clients
// into a temp folder exactly as `npm run build` lays out dist/, runs them as child processes, and
// finds and ends every agent process a test started (by the temp folder in its environment).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BUILD_SCRIPT = resolve(__dirname, '../../build/build-client.js');

export type ClientKind = 'shim' | 'ts';
export const CLIENT_KINDS: readonly ClientKind[] = ['shim', 'ts'];

/** dist-like folders: `<root>/shim/sshcc` is the C shim, `<root>/ts/sshcc` the sh launcher of the TS client. */
export interface ClientBuilds {
  readonly root: string;
  sshcc(kind: ClientKind): string;
  dist(kind: ClientKind): string;
}

export function buildClients(): ClientBuilds {
  const root = mkdtempSync(join(tmpdir(), 'sshcc-clients-'));
  execFileSync(process.execPath, [BUILD_SCRIPT, '--out-dir', join(root, 'shim'), '--bundle-agent'], { stdio: 'pipe' });
  execFileSync(process.execPath, [BUILD_SCRIPT, '--out-dir', join(root, 'ts'), '--bundle-agent', '--no-shim'], { stdio: 'pipe' });
  return {
    root,
    dist: (kind) => join(root, kind),
    sshcc: (kind) => join(root, kind, 'sshcc'),
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<RunResult>;
}

export function start(argv: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; argv0?: string }): Running {
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.argv0 ? { argv0: options.argv0 } : {}),
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const done = new Promise<RunResult>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }));
  });
  return { child, done };
}

export function run(argv: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; argv0?: string }): Promise<RunResult> {
  return start(argv, options).done;
}

/** pids of live processes whose environment mentions `marker` (a test's temp folder). */
export function processesMarkedWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (environ.includes(marker) && !/^\d+ \(.*\) Z/.test(state)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Ends (by pid) every process a test started under `marker`, and waits until they are gone. */
export async function endProcessesMarkedWith(marker: string): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = processesMarkedWith(marker);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    await waitFor(() => processesMarkedWith(marker).length === 0, 3000).catch(() => undefined);
  }
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** A fresh temp dir holding ok.c and direct.o, gcc's own object of it, which a client's compile must equal. */
export function okSourceDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'ok.c'), 'int answer(void) { return 42; }\n');
  execFileSync('gcc', ['-c', 'ok.c', '-o', 'direct.o'], { cwd: dir });
  return dir;
}

/** Ends every process the built clients started (agents included), then removes the builds and `dirs`. */
export async function cleanUpClients(builds: ClientBuilds, ...dirs: string[]): Promise<void> {
  await endProcessesMarkedWith(builds.root);
  removeDir(builds.root);
  for (const dir of dirs) removeDir(dir);
}

/** A clean environment for a client under test: its own SSHCC_DIR, nothing inherited from sshcc. */
export function clientEnv(sshccDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('SSHCC_') && value !== undefined) env[name] = value;
  }
  return { ...env, SSHCC_DIR: sshccDir, ...extra };
}
