// `npm run package` as a user meets it: the tarball installed with `npm install -g --offline
// --ignore-scripts` into a prefix of its own, with a clean HOME and only that prefix's bin (plus the
// system's folders and node's) on PATH. Its `sshcc install-server` puts its own server on a volunteer
// (sshd without the subsystem), `sshcc gcc -c` compiles there through the C shim compiled on first use
// (object identical to local gcc's), an upgrade replaces the running agent at the next compile, a
// package folder its user cannot write keeps the sh launcher running the cached shim (masquerade links
// too), and `npm uninstall -g` leaves nothing in the prefix. The tarballs are packed once, in beforeAll.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { runCaptured, type CapturedRun } from './support/captured-run';
import { waitUntil } from './support/processes-under';

const REPO = resolve(__dirname, '..');
const { packageSshcc } = require(join(REPO, 'scripts/package.js')) as { packageSshcc(options: { outDir: string; version?: string; build?: boolean }): Promise<string> };
const VERSION = (JSON.parse(readFileSync(join(REPO, 'packages/client/package.json'), 'utf8')) as { version: string }).version;
const UPGRADE = '99.0.0';

let root: string;
let prefix: string;
let home: string;
let project: string;
let tarball: string;
let upgrade: string;
let volunteer: Volunteer;
const alias = (): string => volunteer.alias;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sshcc-pkg-'));
  prefix = join(root, 'prefix');
  home = join(root, 'home');
  project = join(root, 'project');
  for (const dir of [home, project]) mkdirSync(dir);
  // The sources are bundled from TypeScript, so no build is needed first; the same sources twice.
  tarball = await packageSshcc({ outDir: join(root, 'packed'), build: false });
  upgrade = await packageSshcc({ outDir: join(root, 'packed-upgrade'), version: UPGRADE, build: false });
  for (const dir of ['volunteer-home', 'volunteer-tmp']) mkdirSync(join(root, dir));
  volunteer = await startVolunteer({ subsystem: false, env: { HOME: join(root, 'volunteer-home'), TMPDIR: join(root, 'volunteer-tmp') } });
}, 120_000);

afterAll(async () => {
  if (existsSync(join(prefix, 'bin', 'sshcc'))) await sshcc(['agent', 'stop']);
  await stopAll();
  rmSync(root, { recursive: true, force: true });
}, 30_000);

/** npm as the user runs it: this test's npm, a cache and HOME of its own, never the network. */
function npm(args: readonly string[], into = prefix): ReturnType<typeof spawnSync> {
  const env = { PATH: process.env.PATH, HOME: home, npm_config_cache: join(root, 'npm-cache'), NPM_CONFIG_UPDATE_NOTIFIER: 'false' };
  return spawnSync('npm', [...args, '--offline', '--ignore-scripts', '--prefix', into], { cwd: root, env, encoding: 'utf8' });
}

/** The user's shell: the prefix's bin first, then the system's folders and node's (which `sshcc` runs). */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: [join(prefix, 'bin'), '/usr/bin', '/bin', dirname(process.execPath)].join(':'),
    HOME: home,
    LANG: 'C',
    SSHCC_SSH_CONFIG: volunteer.sshConfigFile,
    SSHCC_KNOWN_HOSTS: volunteer.knownHostsFile,
    ...extra,
  };
}

const sshcc = (args: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<CapturedRun> => runCaptured(['sshcc', ...args], { cwd: project, env: userEnv(extra) });

const installed = (...parts: string[]): string => join(prefix, 'lib', 'node_modules', 'sshcc', ...parts);
const agentPid = (): number => Number(readFileSync(join(home, '.sshcc', 'agent.pid'), 'utf8'));
const isElf = (file: string): boolean => readFileSync(file).subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1'));

/** `sshcc gcc -O2 -c <name>.c` here; expects it compiled on the volunteer, identical to local gcc's object. */
async function expectRemoteCompile(name: string, extra: NodeJS.ProcessEnv = {}): Promise<void> {
  writeFileSync(join(project, `${name}.c`), `int ${name}(int v) { return v * ${name.length} + 1; }\n`);
  const log = join(root, `${name}.log`);
  const run = await sshcc(['gcc', '-O2', '-c', `${name}.c`, '-o', `${name}.o`], { SSHCC_HOSTS: `${alias()}/2`, SSHCC_LOG: log, ...extra });
  expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(readFileSync(log, 'utf8')).toMatch(new RegExp(`^sshcc: ${name}\\.o: compiled on ${alias()}/2 \\(\\d+ ms\\)\\n$`));
  expect(spawnSync('gcc', ['-O2', '-c', `${name}.c`, '-o', `${name}.local.o`], { cwd: project }).status).toBe(0);
  expect(readFileSync(join(project, `${name}.o`)).equals(readFileSync(join(project, `${name}.local.o`)))).toBe(true);
}

/** The launcher of a package folder `run`'s user cannot write runs the cached shim, for sshcc and a masquerade link. */
async function expectLauncherServes(run: (argv: readonly string[], extra?: NodeJS.ProcessEnv) => Promise<CapturedRun>, user: string, shared: string): Promise<void> {
  writeFileSync(join(project, 'ro.c'), 'int ro(void) { return 7; }\n');
  expect(await run(['sshcc', 'gcc', '-c', 'ro.c', '-o', 'ro.o'])).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(isElf(join(shared, 'lib/node_modules/sshcc/dist/sshcc'))).toBe(false);
  expect((await run(['sshcc', 'masquerade', join(user, 'masq')])).code).toBe(0);
  // With the agent running and no node to hand over to, only the C shim can have these served.
  const noNode = { SSHCC_NODE: join(root, 'no-such-node') };
  expect(await run(['sshcc', 'gcc', '-c', 'ro.c', '-o', 'ro2.o'], noNode)).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(await run(['gcc', '-c', 'ro.c', '-o', 'ro3.o'], noNode)).toEqual({ code: 0, stdout: '', stderr: '' });
  const served = readFileSync(join(user, '.sshcc', 'agent.log'), 'utf8').split('\n').filter((line) => line.includes('compiled locally'));
  expect(served.map((line) => line.replace(/^.*\] /, ''))).toEqual(['ro.o', 'ro2.o', 'ro3.o'].map((o) => `sshcc: ${o}: compiled locally: no remote hosts are configured`));
  expect((await run(['sshcc', 'agent', 'stop'])).code).toBe(0);
}

describe('the sshcc package', () => {
  it("names the launcher's variable as the C shim reads it", () => {
    const { LAUNCH_ARGV0_VAR } = require(join(REPO, 'packages/client/build/package-launcher.js')) as { LAUNCH_ARGV0_VAR: string };
    expect(readFileSync(join(REPO, 'packages/client/shim/sshcc-shim.h'), 'utf8')).toContain(`\n#define LAUNCH_ARGV0_VAR "${LAUNCH_ARGV0_VAR}"\n`);
  });

  it('is one tarball with no dependencies and no install script', () => {
    expect(tarball).toBe(join(root, 'packed', `sshcc-${VERSION}.tgz`));
    const manifest = JSON.parse(spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'sshcc', version: VERSION, bin: { sshcc: 'dist/sshcc', 'sshcc-server': 'bin/sshcc-server.js' } });
    expect(Object.keys(manifest).filter((key) => /dependencies|scripts/i.test(key))).toEqual([]);
  });

  it('installs offline without scripts: sshcc and sshcc-server on PATH; the first use builds the C shim in place of the launcher', async () => {
    const install = npm(['install', '-g', tarball]);
    expect(install.status).toBe(0);
    expect(readdirSync(join(prefix, 'bin')).sort()).toEqual(['sshcc', 'sshcc-server']);
    expect(isElf(installed('dist', 'sshcc'))).toBe(false); // the sh launcher, until the first use builds the shim
    expect(await sshcc(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(isElf(installed('dist', 'sshcc'))).toBe(true);
    expect(readdirSync(join(home, '.cache', 'sshcc')).filter((name) => name.startsWith('shim-'))).toHaveLength(1);
    expect(await runCaptured(['sshcc-server', '--version'], { cwd: project, env: userEnv() })).toEqual({ code: 0, stdout: `sshcc-server ${VERSION}\n`, stderr: '' });
  }, 60_000);

  it('install-server puts its own server on a volunteer', async () => {
    const run = await sshcc(['install-server', alias()]);
    expect(run.code).toBe(0);
    const uploaded = join(root, 'volunteer-home', '.local/lib/sshcc/bin/sshcc-server.js');
    expect(readFileSync(uploaded).equals(readFileSync(installed('bin', 'sshcc-server.js')))).toBe(true);
  }, 60_000);

  it('compiles on the volunteer through the C shim', async () => {
    await expectRemoteCompile('first');
    // No node for the shim to hand over to: only the C shim can send this compile to the volunteer.
    await expectRemoteCompile('second', { SSHCC_NODE: join(root, 'no-such-node') });
  }, 60_000);

  it('an upgrade over a running agent: the next compile starts the new agent, the old one steps aside', async () => {
    const before = agentPid();
    const install = npm(['install', '-g', upgrade]);
    expect(install.status).toBe(0);
    expect(await sshcc(['--version'])).toEqual({ code: 0, stdout: `${UPGRADE}\n`, stderr: '' });
    await expectRemoteCompile('third');
    expect(agentPid()).not.toBe(before);
    // It finishes closing its ssh connections, then exits.
    expect(await waitUntil(() => spawnSync('kill', ['-0', String(before)]).status !== 0, 20_000)).toBe(true);
    expect(readFileSync(join(home, '.sshcc', 'agent.log'), 'utf8')).toContain(`[${before}] ${installed('dist', 'agent', 'main.js')}, which this agent runs from, was replaced: stepping aside`);
  }, 60_000);

  it('where the package folder is not writable, the launcher stays and runs the cached shim, masquerade links too', async () => {
    // A prefix of its own that this user cannot write: root (as in CI) ignores modes, so it runs as nobody.
    const shared = join(root, 'shared');
    const user = join(root, 'user');
    mkdirSync(user);
    expect(npm(['install', '-g', upgrade], shared).status).toBe(0);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chmodSync(root, 0o755); // mkdtemp's 0700 would keep nobody out of everything below
      spawnSync('chown', ['-R', '65534:65534', user, project]);
    } else spawnSync('chmod', ['-R', 'a-w', join(shared, 'lib')]);
    // An agent left by a failure here idles out soon (afterAll stops only the main user's).
    const env = { PATH: [join(user, 'masq'), join(shared, 'bin'), '/usr/bin', '/bin', dirname(process.execPath)].join(':'), HOME: user, LANG: 'C', SSHCC_AGENT_IDLE: '60' };
    const run = (argv: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<CapturedRun> =>
      asRoot
        ? runCaptured(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', ...Object.entries({ ...env, ...extra }).map(([k, v]) => `${k}=${v}`), ...argv], { cwd: project, env: {} })
        : runCaptured(argv, { cwd: project, env: { ...env, ...extra } });
    try {
      await expectLauncherServes(run, user, shared);
    } finally {
      if (!asRoot) spawnSync('chmod', ['-R', 'u+w', join(shared, 'lib')]); // so that afterAll can remove it
    }
  }, 60_000);

  it('uninstalls: nothing of it is left in the prefix', async () => {
    expect((await sshcc(['agent', 'stop'])).code).toBe(0);
    const uninstall = npm(['uninstall', '-g', 'sshcc']);
    expect(uninstall.status).toBe(0);
    expect(readdirSync(join(prefix, 'bin'))).toEqual([]);
    expect(existsSync(installed())).toBe(false);
  }, 60_000);
});
