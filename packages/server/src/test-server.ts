// Test-only (excluded from the build): runs the BUILT sshcc-server as a child process, the way sshd
// runs it, and talks to it through the protocol's client driver.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientHandshake, type ClientOptions, type ClientSession } from '@sshcc/protocol';

export const SERVER_BIN = resolve(__dirname, '..', 'bin', 'sshcc-server.js');

export interface TestServer {
  readonly child: ChildProcessWithoutNullStreams;
  /** The server's TMPDIR: job dirs appear here and must be gone after every job. */
  readonly tmp: string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: TestServer[] = [];
const roots: string[] = [];

/** A fresh dir for one test (with tmp/ for the server's TMPDIR and config/ for XDG_CONFIG_HOME). */
export function testRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'sshcc-server-test-'));
  mkdirSync(join(root, 'tmp'));
  mkdirSync(join(root, 'config', 'sshcc'), { recursive: true });
  roots.push(root);
  return root;
}

export function startServer(root: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): TestServer {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], {
    // XDG_CACHE_HOME: each test's server has its own (empty) result cache, never the user's.
    env: { ...process.env, TMPDIR: join(root, 'tmp'), XDG_CONFIG_HOME: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache'), ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const server = { child, tmp: join(root, 'tmp'), stderr: () => stderr, exited };
  started.push(server);
  return server;
}

export async function connect(server: TestServer, options?: ClientOptions): Promise<ClientSession> {
  return clientHandshake({ input: server.child.stdout, output: server.child.stdin }, options);
}

/** Kills every server a test left running and removes its dirs (afterEach). */
export async function cleanUp(): Promise<void> {
  for (const server of started.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Pids of processes whose cwd is inside `dir` (the compiler and everything it started). */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

export async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(20);
  }
  return condition();
}

/** C source that keeps gcc -O2 busy for several seconds (n functions with loops). */
export function slowSource(functions = 4000): string {
  const lines = ['volatile int sink;'];
  for (let i = 0; i < functions; i++) {
    lines.push(
      `int f${i}(int x) { int s = 0; for (int j = 0; j < x; j++) { s += j * ${i} ^ (s >> 3); if (s & ${(i % 7) + 1}) s -= x; } return s; }`,
    );
  }
  lines.push('int main(void) { int t = 0;');
  for (let i = 0; i < functions; i++) lines.push(`t += f${i}(sink);`);
  lines.push('return t; }');
  return `${lines.join('\n')}\n`;
}
