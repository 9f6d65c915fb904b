// What the thin client's bundle leaves out to start fast (packages/client/build: bundle.js,
// lazy-builtins.js): the early exits load neither `net` nor `child_process`, core's unused modules are
// not in it, and a lazy built-in name the build does not know fails the build instead of the client.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SshccError, exitCodeOf } from '@sshcc/core';

const BUILD_DIR = resolve(__dirname, '../../build');

let dir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-thin-bundle-'));
  execFileSync(process.execPath, [join(BUILD_DIR, 'build-client.js'), '--out-dir', join(dir, 'dist'), '--no-shim'], { stdio: 'pipe' });
  bundle = join(dir, 'dist', 'sshcc-thin.js');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle as the C shim would, with a preload that records the built-ins Node loaded by exit. */
function runRecordingModules(env: NodeJS.ProcessEnv, argv: readonly string[]) {
  const record = join(dir, `modules-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const preload = join(dir, 'record-modules.js');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(record)}, process.moduleLoadList.join('\\n')));\n`);
  const result = spawnSync(process.execPath, ['-r', preload, bundle, ...argv], { env: { PATH: process.env.PATH, HOME: dir, ...env }, encoding: 'utf8' });
  return { ...result, modules: readFileSync(record, 'utf8').split('\n') };
}

describe('the thin client bundle', () => {
  it('stops at SSHCC_DEPTH=3 as before, without loading net or child_process', () => {
    const result = runRecordingModules({ SSHCC_DEPTH: '3' }, ['gcc', '-c', 'x.c']);
    expect(result.stderr).toBe('sshcc: compiler: gcc leads back to sshcc 3 times (a masquerade link or wrapper earlier on PATH runs sshcc again; check PATH)\n');
    expect(result.status).toBe(exitCodeOf(new SshccError('compiler-not-found', '')));
    expect(result.modules).toContain('NativeModule fs');
    expect(result.modules).not.toContain('NativeModule net');
    expect(result.modules).not.toContain('NativeModule child_process');
  });

  it('loads child_process when it runs a compiler, and the compiler runs', () => {
    const compiler = join(dir, 'fake-cc');
    writeFileSync(compiler, '#!/bin/sh\necho "fake-cc $*"\nexit 7\n', { mode: 0o755 });
    const result = runRecordingModules({ SSHCC_DEPTH: '1' }, [compiler, '-c', 'x.c']);
    expect(result.stdout).toBe('fake-cc -c x.c\n');
    expect(result.status).toBe(7);
    expect(result.modules).toContain('NativeModule child_process');
  });

  it("holds only the core modules it uses (not the argv option tables)", () => {
    const text = readFileSync(bundle, 'utf8');
    expect(text).toContain('// packages/core/src/errors/exit-codes.ts');
    expect(text).not.toMatch(/\/\/ packages\/core\/src\/argv\//);
  });

  it('fails the build when a lazy built-in is imported by a name it does not list', () => {
    const entry = join(dir, 'imports-server.ts');
    writeFileSync(entry, "import { createServer } from 'node:net';\ncreateServer();\n");
    const script = `
      const esbuild = require('esbuild');
      const { lazyBuiltins } = require(${JSON.stringify(join(BUILD_DIR, 'lazy-builtins.js'))});
      esbuild.build({ entryPoints: [${JSON.stringify(entry)}], bundle: true, write: false, platform: 'node', logLevel: 'silent', plugins: [lazyBuiltins] })
        .then(() => process.exit(0), (err) => { process.stderr.write(err.errors.map((e) => e.text).join('\\n')); process.exit(1); });`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: BUILD_DIR, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('No matching export in "sshcc-lazy-builtin:net" for import "createServer"');
  });
});
