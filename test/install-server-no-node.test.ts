// `sshcc install-server` on a volunteer with no usable node: its sshd runs in a private mount namespace
// where every node this machine has is covered (testkit's `hide`, root only), so the install sends this
// machine's node as a runtime; then a make build runs through that install, and a second install-server
// sends nothing. Runs the BUILT CLI, shim and server bundle (npm run build first).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { hidingUnavailable, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { expectBuildThrough } from './support/installed-build';
import { runCaptured, type CapturedRun as Run } from './support/captured-run';

const REPO = resolve(__dirname, '..');
const CLI = join(REPO, 'packages/client/bin/sshcc.js');
const SSHCC = join(REPO, 'node_modules/.bin/sshcc');
const reason = hidingUnavailable();

/** This node and every `node` on PATH: a volunteer session must find none of them. */
function nodesHere(): string[] {
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'node'));
  return [process.execPath, ...onPath.filter((path) => path.startsWith('/') && existsSync(path))];
}

if (reason !== undefined) {
  test('install-server on a volunteer without node cannot run here, and the reason is printed', () => {
    console.log(`install-server without node tests not run: ${reason}`);
    expect(reason).toMatch(/not root|unshare --mount/);
  });
} else {
  let root: string;
  let volunteer: Volunteer;
  let home: string;
  let first: Run;
  let firstMs: number;

  const clientEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    // A result cache of its own: other files in the run build the same little project.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(root, 'client-home'), SSHCC_DIR: join(root, 'client-home', '.sshcc'), XDG_CACHE_HOME: join(root, 'client-cache'), LANG: 'C', LC_ALL: 'C' };
    for (const name of ['SSH_AUTH_SOCK', 'SSHCC_SERVER_COMMAND', 'SSHCC_HOSTS', 'DISTCC_HOSTS', 'SSHCC_VERBOSE', 'MAKEFLAGS']) delete env[name];
    return { ...env, SSHCC_SSH_CONFIG: volunteer.sshConfigFile, SSHCC_KNOWN_HOSTS: volunteer.knownHostsFile, ...extra };
  };
  const run = (argv: readonly string[], env: NodeJS.ProcessEnv, cwd = root): Promise<Run> => runCaptured(argv, { cwd, env });
  const installServer = (): Promise<Run> => run([process.execPath, CLI, 'install-server', volunteer.alias], clientEnv());

  beforeAll(async () => {
    if (!existsSync(CLI) || !existsSync(SSHCC)) throw new Error('build first (npm run build)');
    root = mkdtempSync(join(tmpdir(), 'sshcc-install-no-node-'));
    home = join(root, 'volunteer-home');
    for (const dir of [home, join(root, 'client-home'), join(root, 'volunteer-tmp')]) mkdirSync(dir, { recursive: true });
    volunteer = await startVolunteer({ subsystem: false, hide: nodesHere(), env: { HOME: home, TMPDIR: join(root, 'volunteer-tmp') } });
    const started = Date.now();
    first = await installServer();
    firstMs = Date.now() - started;
  }, 120_000);

  afterAll(async () => {
    if (volunteer) await run([SSHCC, 'agent', 'stop'], clientEnv());
    await stopAll();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  test("the volunteer's sessions have no node; install-server sends this machine's node there and says how much it sent", async () => {
    const look = await run(['ssh', '-F', volunteer.sshConfigFile, volunteer.alias, 'node --version || echo no node'], clientEnv());
    expect(look.stdout).toBe('no node\n');

    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const id = createHash('sha256').update(`${createHash('sha256').update(readFileSync(process.execPath)).digest('hex')} 555 bin/node\n`).digest('hex');
    const runtimeNode = `${home}/.local/lib/sshcc/runtimes/node-${id}/bin/node`;
    const [, sent, unpacked] = /^ {2}runtime: +sent node runtime \((\d+\.\d) MiB; (\d+\.\d) MiB unpacked\)$/m.exec(first.stdout) ?? [];
    console.log(`install-server without node: sent the runtime as ${sent} MiB (${unpacked} MiB unpacked); the whole install took ${firstMs} ms`);
    expect(Number(unpacked)).toBeCloseTo(readFileSync(process.execPath).length / 2 ** 20, 1);
    expect(Number(sent)).toBeLessThan(Number(unpacked));
    expect(first.stdout).toContain(`  node:      no node on the PATH of ${volunteer.user}@127.0.0.1:${volunteer.port}: runs this machine's node ${process.version} as ${runtimeNode}\n`);
    expect(first.stdout).toMatch(/^ {2}sent: +\d+\.\d MiB in all$/m);
    expect(first.stdout).toContain('  serves:    sshcc-server/0.1.0, protocol 1, by exec ~/.local/lib/sshcc/sshcc-server\n');
    expect(first.stdout).toContain(`\n  Subsystem sshcc ${runtimeNode} ${home}/.local/lib/sshcc/bin/sshcc-server.js\n`);
    expect(readFileSync(runtimeNode).equals(readFileSync(process.execPath))).toBe(true);
  });

  test('a make build runs through that install: every object compiled there, identical to a local build', async () => {
    const project = join(root, 'project');
    mkdirSync(project);
    await expectBuildThrough(project, clientEnv({ SSHCC_AGENT_IDLE: '60' }), volunteer.alias, join(root, 'jobs.log'), root);
  }, 120_000);

  test('a second install-server sends nothing', async () => {
    const again = await installServer();
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('  runtime:   node runtime there already (sha256 checked), sent nothing\n');
    expect(again.stdout).toContain('  upload:    sshcc-server there already (same sha256), sent nothing\n');
    expect(again.stdout).toContain('  sent:      nothing: everything was there already\n');
    expect(readdirSync(join(home, '.local/lib/sshcc/runtimes'))).toHaveLength(1);
  }, 60_000);
}
