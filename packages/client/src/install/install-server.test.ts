// installServer over the local target, into a temp HOME, with the real server bundle (built here).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isSshccError } from '@sshcc/core';
import { installServer, type InstallReport } from './install-server';
import type { InstallTarget } from './install-target';
import { localInstallTarget } from './local-install-target';
import type { ServerBundle } from './server-bundle';

const BUILD_SCRIPT = resolve(__dirname, '../../../server/build/bundle-server.js');

let dir: string;
let bundle: ServerBundle;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-install-unit-'));
  const path = join(dir, 'built', 'sshcc-server.js');
  const build = spawnSync(process.execPath, [BUILD_SCRIPT, '--out', path], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(build.stderr);
  bundle = { path, bytes: readFileSync(path) };
}, 30_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshHome(name: string): { home: string; env: NodeJS.ProcessEnv } {
  const home = join(dir, name);
  return { home, env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config') } };
}

function install(env: NodeJS.ProcessEnv, what: ServerBundle = bundle): Promise<InstallReport> {
  return installServer(localInstallTarget(env), what, { clientVersion: '0.0.0-test' });
}

function entries(home: string): string[] {
  return readdirSync(join(home, '.local/lib/sshcc'), { recursive: true }).map(String).sort();
}

describe('installServer on this machine', () => {
  it('installs, then replaces by rename: a file a running server holds open keeps its old content', async () => {
    const { home, env } = freshHome('home-upgrade');
    const steps: string[] = [];
    const first = await installServer(localInstallTarget(env), bundle, { clientVersion: '0.0.0-test', onStep: (step) => steps.push(step) });
    expect(steps).toEqual(['node', 'upload', 'check', 'serves']);
    expect(first).toMatchObject({ where: 'this machine', previous: null, installed: 'sshcc-server 0.1.0', upload: 'local', bytes: bundle.bytes.length, served: { server: 'sshcc-server/0.1.0', protocol: 1 } });
    expect(first.subsystemLine).toBe(`Subsystem sshcc ${first.node.path} ${home}/.local/lib/sshcc/bin/sshcc-server.js`);
    expect(first.check).toMatch(/^sshcc-server 0\.1\.0, protocol 1\nconfig: /);
    expect(entries(home)).toEqual(['bin', 'bin/sshcc-server.js', 'sshcc-server']);

    const held = openSync(first.paths.bundle, 'r');
    try {
      const inode = statSync(first.paths.bundle).ino;
      const second = await install(env);
      expect(second.previous).toBe('sshcc-server 0.1.0');
      expect(statSync(first.paths.bundle).ino).not.toBe(inode);
      const head = Buffer.alloc(64);
      readSync(held, head, 0, head.length, 0);
      expect(head).toEqual(bundle.bytes.subarray(0, 64));
      expect(entries(home)).toEqual(['bin', 'bin/sshcc-server.js', 'sshcc-server']);
    } finally {
      closeSync(held);
    }
  }, 30_000);

  it('reads past what a login shell prints before each command', async () => {
    const { home, env } = freshHome('home-chatty');
    const local = localInstallTarget(env);
    const chatty: InstallTarget = {
      ...local,
      run: async (...args) => {
        const result = await local.run(...args);
        return { ...result, stdout: `Welcome to build1!\n${result.stdout}` };
      },
    };
    const report = await installServer(chatty, bundle, { clientVersion: '0.0.0-test' });
    expect(report).toMatchObject({ installed: 'sshcc-server 0.1.0', previous: null });
    expect(report.paths.dir).toBe(join(home, '.local/lib/sshcc'));
    expect(report.subsystemLine).toBe(`Subsystem sshcc ${report.node.path} ${home}/.local/lib/sshcc/bin/sshcc-server.js`);
  }, 30_000);

  it('keeps the installed server when the new one does not run, and leaves no temp file', async () => {
    const { home, env } = freshHome('home-broken');
    await install(env);
    const before = readFileSync(join(home, '.local/lib/sshcc/bin/sshcc-server.js'));
    const broken: ServerBundle = { path: 'broken.js', bytes: Buffer.from("process.stdout.write('hello\\n');\n") };
    let thrown: unknown;
    try {
      await install(env, broken);
    } catch (err) {
      thrown = err;
    }
    expect(isSshccError(thrown) && [thrown.code, thrown.message]).toEqual(['remote-failed', 'the uploaded server on this machine printed "hello" for --version']);
    expect(readFileSync(join(home, '.local/lib/sshcc/bin/sshcc-server.js')).equals(before)).toBe(true);
    expect(entries(home)).toEqual(['bin', 'bin/sshcc-server.js', 'sshcc-server']);
  }, 30_000);
});
