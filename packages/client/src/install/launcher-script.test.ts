import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { launcherScript } from './launcher-script';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc launcher '));
  // Stands in for the bundle: shows what it was started with.
  writeFileSync(join(dir, 'server.js'), 'process.stdout.write(JSON.stringify({ args: process.argv.slice(2), ca: process.env.NODE_EXTRA_CA_CERTS ?? null, libs: process.env.LD_LIBRARY_PATH ?? null }));\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runLauncher(node: string, path: string, libraryPath?: string, env: NodeJS.ProcessEnv = {}): unknown {
  const launcher = join(dir, 'sshcc-server');
  writeFileSync(launcher, launcherScript({ node, libraryPath, bundle: join(dir, 'server.js'), clientVersion: '9.9.9' }), { mode: 0o755 });
  const result = spawnSync(launcher, ['--check', 'two words'], { env: { PATH: path, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', ...env }, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

describe('launcherScript', () => {
  it('runs the bundle with the node found at install time, passes the arguments, and drops NODE_EXTRA_CA_CERTS', () => {
    expect(runLauncher(process.execPath, '/nonexistent')).toEqual({ args: ['--check', 'two words'], ca: null, libs: null });
  });

  it('falls back to node on PATH when that node is gone', () => {
    expect(runLauncher('/gone/bin/node', `${dirname(process.execPath)}:/usr/bin:/bin`)).toEqual({ args: ['--check', 'two words'], ca: null, libs: null });
  });

  it("puts a runtime's libraries first on LD_LIBRARY_PATH, keeping what was there", () => {
    expect(runLauncher(process.execPath, '/nonexistent', '/rt/lib')).toEqual({ args: ['--check', 'two words'], ca: null, libs: '/rt/lib' });
    expect(runLauncher(process.execPath, '/nonexistent', '/rt/lib', { LD_LIBRARY_PATH: '/opt/x' })).toEqual({ args: ['--check', 'two words'], ca: null, libs: '/rt/lib:/opt/x' });
  });

  it("does not give a runtime's libraries to the node on PATH it falls back to", () => {
    expect(runLauncher('/gone/bin/node', `${dirname(process.execPath)}:/usr/bin:/bin`, '/gone/lib')).toEqual({ args: ['--check', 'two words'], ca: null, libs: null });
  });
});
