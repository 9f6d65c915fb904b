// installServer over the local target, into a temp HOME, with the real server bundle (built here).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isSshccError } from '@sshcc/core';
import { installServer, type InstallReport } from './install-server';
import type { InstallTarget } from './install-target';
import { localInstallTarget } from './local-install-target';
import { localNodeRuntime, type NodeRuntime } from './local-node-runtime';
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
    expect(steps).toEqual(['node', 'upload', 'sent', 'check', 'serves']);
    expect(first).toMatchObject({ where: 'this machine', previous: null, installed: 'sshcc-server 0.1.0', upload: 'local', bytes: bundle.bytes.length, runtime: null, served: { server: 'sshcc-server/0.1.0', protocol: 1 } });
    expect(first.sentBytes).toBeGreaterThan(bundle.bytes.length);
    expect(first.subsystemLine).toBe(`Subsystem sshcc ${first.node.path} ${home}/.local/lib/sshcc/bin/sshcc-server.js`);
    expect(first.check).toMatch(/^sshcc-server 0\.1\.0, protocol 1\nconfig: /);
    expect(entries(home)).toEqual(['bin', 'bin/sshcc-server.js', 'sshcc-server']);

    const held = openSync(first.paths.bundle, 'r');
    try {
      const inode = statSync(first.paths.bundle).ino;
      // Another build of the same version: a reinstall of the same bytes would send (and replace) nothing.
      const second = await install(env, { path: bundle.path, bytes: Buffer.concat([bundle.bytes, Buffer.from('// next build\n')]) });
      expect(second.previous).toBe('sshcc-server 0.1.0');
      expect(second).toMatchObject({ upload: 'local', bytes: bundle.bytes.length + 14, sentBytes: bundle.bytes.length + 14 });
      expect(statSync(first.paths.bundle).ino).not.toBe(inode);
      const head = Buffer.alloc(64);
      readSync(held, head, 0, head.length, 0);
      expect(head).toEqual(bundle.bytes.subarray(0, 64));
      expect(entries(home)).toEqual(['bin', 'bin/sshcc-server.js', 'sshcc-server']);
    } finally {
      closeSync(held);
    }
  }, 30_000);

  it('sends nothing when the same server and launcher are there, and replaces nothing', async () => {
    const { home, env } = freshHome('home-again');
    await install(env);
    const inode = statSync(join(home, '.local/lib/sshcc/bin/sshcc-server.js')).ino;
    const steps: string[] = [];
    const again = await installServer(localInstallTarget(env), bundle, { clientVersion: '0.0.0-test', onStep: (step, detail) => steps.push(`${step}: ${detail}`) });
    expect(again).toMatchObject({ previous: 'sshcc-server 0.1.0', installed: 'sshcc-server 0.1.0', upload: null, bytes: 0, sentBytes: 0 });
    expect(steps).toContain('upload: sshcc-server there already (same sha256), sent nothing');
    expect(steps).toContain('sent: nothing: everything was there already');
    expect(statSync(join(home, '.local/lib/sshcc/bin/sshcc-server.js')).ino).toBe(inode);
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

describe('installServer where node is older than 20', () => {
  let oldNode: string;
  let runtime: Promise<NodeRuntime> | undefined;
  // One read and hash of this machine's ~100 MB node for every install below.
  const thisNode = (): Promise<NodeRuntime> => (runtime ??= localNodeRuntime());

  beforeAll(() => {
    oldNode = join(dir, 'old-node-bin');
    mkdirSync(oldNode);
    writeFileSync(join(oldNode, 'node'), '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
  });

  function installWithOldNode(env: NodeJS.ProcessEnv, steps: string[] = []): Promise<InstallReport> {
    return installServer(localInstallTarget({ ...env, PATH: `${oldNode}:${env.PATH}` }), bundle, { clientVersion: '0.0.0-test', nodeRuntime: thisNode, onStep: (step, detail) => steps.push(`${step}: ${detail}`) });
  }

  it("sends this machine's node into runtimes/ by its content address, runs the server on it, and sends nothing the second time", async () => {
    const { home, env } = freshHome('home-old-node');
    const { id, files, version } = await thisNode();
    const steps: string[] = [];
    const first = await installWithOldNode(env, steps);
    const folder = join(home, '.local/lib/sshcc/runtimes', `node-${id}`);
    expect(first.node).toEqual({ path: join(folder, 'bin/node'), version });
    expect(first.runtime).toMatchObject({ node: join(folder, 'bin/node'), libraryPath: null });
    expect(first.runtime?.sentBytes).toBeGreaterThan(0);
    expect(first.runtime?.unpackedBytes).toBe(files.reduce((sum, file) => sum + file.size, 0));
    expect(first.sentBytes).toBe((first.runtime?.sentBytes ?? 0) + first.bytes + readFileSync(first.paths.launcher).length);
    expect(steps[0]).toMatch(/^runtime: sent node runtime \(\d+\.\d MiB; \d+\.\d MiB unpacked\)$/);
    expect(steps[1]).toBe(`node: ${oldNode}/node on this machine is Node v18.19.0; sshcc-server needs 20 or newer: runs this machine's node ${version} as ${folder}/bin/node`);
    expect(readFileSync(join(folder, 'bin/node')).equals(readFileSync(process.execPath))).toBe(true);
    expect(statSync(join(folder, 'bin/node')).mode & 0o777).toBe(0o555);
    expect(entries(home)).toEqual(['bin', 'bin/sshcc-server.js', 'runtimes', `runtimes/node-${id}`, `runtimes/node-${id}/bin`, `runtimes/node-${id}/bin/node`, 'sshcc-server']);
    expect(first.subsystemLine).toBe(`Subsystem sshcc ${folder}/bin/node ${home}/.local/lib/sshcc/bin/sshcc-server.js`);
    // The agent's exec of the launcher, with the old node still first on PATH: it runs the runtime.
    const launched = spawnSync(first.paths.launcher, ['--version'], { encoding: 'utf8', env: { PATH: `${oldNode}:/usr/bin:/bin` } });
    expect(launched.stdout).toBe('sshcc-server 0.1.0\n');

    const secondSteps: string[] = [];
    const second = await installWithOldNode(env, secondSteps);
    expect(second).toMatchObject({ sentBytes: 0, bytes: 0, upload: null, runtime: { sentBytes: 0, unpackedBytes: 0 } });
    expect(secondSteps[0]).toBe('runtime: node runtime there already (sha256 checked), sent nothing');
    expect(secondSteps).toContain('sent: nothing: everything was there already');
  }, 90_000);

  it('sends the runtime again when a byte of the copy there has changed', async () => {
    const { home, env } = freshHome('home-damaged-runtime');
    const { id } = await thisNode();
    await installWithOldNode(env);
    const node = join(home, '.local/lib/sshcc/runtimes', `node-${id}`, 'bin/node');
    // Written beside it and renamed over it: the server the install started may still have it open to run.
    const damaged = readFileSync(node);
    damaged[4096] ^= 0xff;
    writeFileSync(`${node}.damaged`, damaged, { mode: 0o555 });
    renameSync(`${node}.damaged`, node);
    const again = await installWithOldNode(env);
    expect(again.runtime?.sentBytes).toBeGreaterThan(0);
    expect(readFileSync(node).equals(readFileSync(process.execPath))).toBe(true);
    expect(entries(home).filter((entry) => entry.startsWith('runtimes/') && !entry.startsWith(`runtimes/node-${id}`))).toEqual([]);
  }, 90_000);
});
