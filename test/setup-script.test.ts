// scripts/setup --check-only, run with a PATH of our making: a folder of links to the tools of setup's own
// table (and node, npm) but those a case hides. A missing tool is named with its package and the apt-get
// command that installs it, and setup exits 69 before anything else runs; a Node.js older than 20 exits
// 68. (setup also looks in the sbin folders, so the tools hidden here are ones that live in /usr/bin.)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SETUP = resolve(__dirname, '../scripts/setup');
const SUDO = process.getuid?.() === 0 ? '' : 'sudo ';
/** The names in setup's tool:package table (absolute paths aside: setup looks only there for those). */
const TOOLS = [...(/^TOOLS=\(\n([^]*?)^\)/m.exec(readFileSync(SETUP, 'utf8'))?.[1] ?? '').matchAll(/^\s*([^\s:#/][^\s:]*):/gm)].map((m) => m[1] as string);

/** Where the real PATH finds `tool`. */
function which(tool: string): string | undefined {
  const run = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sshcc-setup-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A folder of links to the table's tools, node and npm, without `hidden`; `fakes` are scripts in their place. */
function pathWithout(name: string, hidden: readonly string[], fakes: Record<string, string> = {}): string {
  const bin = join(root, name);
  mkdirSync(bin);
  for (const [tool, script] of Object.entries(fakes)) writeFileSync(join(bin, tool), script, { mode: 0o755 });
  for (const tool of new Set([...TOOLS, 'node', 'npm'])) {
    if (hidden.includes(tool) || tool in fakes) continue;
    const at = which(tool);
    if (at !== undefined) symlinkSync(at, join(bin, tool));
  }
  return bin;
}

test("reads setup's table", () => {
  expect(TOOLS).toEqual(expect.arrayContaining(['ssh-keygen', 'gcc', 'make', 'clang', 'llvm-dwarfdump', 'nft']));
});

function setup(path: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('/bin/bash', [SETUP, '--check-only', ...args], { env: { PATH: path, LANG: 'C' }, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('with every tool here, it says nothing and exits 0', () => {
  expect(setup(pathWithout('all', []))).toEqual({ status: 0, stdout: '', stderr: '' });
});

test('names each missing tool with its package and the command that installs them, and exits 69', () => {
  const run = setup(pathWithout('no-clang', ['clang', 'llvm-dwarfdump']));
  expect(run.status).toBe(69);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n')).toEqual([
    'sshcc setup: missing system tools that the tests run:',
    '  clang                    from the package clang',
    '  llvm-dwarfdump           from the package llvm',
    'install them with:',
    `  ${SUDO}apt-get install clang llvm`,
    '',
  ]);
});

test('--demo asks only for what the demo runs', () => {
  const path = pathWithout('demo', ['clang', 'make']);
  expect(setup(path, '--demo')).toMatchObject({ status: 69, stderr: expect.stringContaining(`missing system tools that the demo runs:\n  make `) });
  expect(setup(path, '--demo').stderr).not.toContain('clang');
  expect(setup(pathWithout('demo-no-clang', ['clang']), '--demo')).toEqual({ status: 0, stdout: '', stderr: '' });
});

test('a Node.js older than 20 stops it with exit 68, saying which version it found', () => {
  const run = setup(pathWithout('old-node', [], { node: '#!/bin/sh\necho 18.19.0\n' }));
  expect(run.status).toBe(68);
  expect(run.stderr).toContain('sshcc setup: Node.js >= 20 is needed; `node` here is 18.19.0.');
});

test('an unknown option is a usage error, exit 64', () => {
  expect(setup(pathWithout('usage', []), '--frobnicate').status).toBe(64);
});
