// `sshcc install-server` into the fresh home of a volunteer whose sshd has no `Subsystem sshcc` (sshd's
// SetEnv gives its sessions that HOME, and the shell's `~` follows it), then a make build through that
// install; an upgrade while a server runs (a reinstall sends only what changed); a node too old where
// this machine's node cannot go instead; `--local`. Runs the BUILT CLI, shim and server bundle (npm run
// build first).
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from 'ssh2';
import { clientHandshake, type ClientSession } from '@sshcc/protocol';
import { connectClient, openExec, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { gccJobSpec } from '../packages/server/src/test-job-spec';
import { expectBuildThrough } from './support/installed-build';
import { runCaptured, type CapturedRun as Run } from './support/captured-run';

const REPO = resolve(__dirname, '..');
const CLI = join(REPO, 'packages/client/bin/sshcc.js');
const SSHCC = join(REPO, 'node_modules/.bin/sshcc');
const BUNDLE = join(REPO, 'packages/server/dist/bundle/sshcc-server.js');
const NODE_LINE = /^ {2}node: +(\/\S+) (v\d+\.\d+\.\d+)$/m;

let root: string;
const clients: Client[] = [];

beforeAll(() => {
  for (const file of [CLI, SSHCC, BUNDLE]) if (!existsSync(file)) throw new Error(`${file} is missing: build first (npm run build)`);
  root = mkdtempSync(join(tmpdir(), 'sshcc-install-'));
});

afterAll(async () => {
  for (const client of clients) client.end();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/** A client environment of this test's own: no ssh-agent, no host list, no agent of the caller's. */
function clientEnv(volunteer: Volunteer | null, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(root, 'client-home'), SSHCC_DIR: join(root, 'client-home', '.sshcc'), LANG: 'C', LC_ALL: 'C' };
  for (const name of ['SSH_AUTH_SOCK', 'SSHCC_SERVER_COMMAND', 'SSHCC_HOSTS', 'DISTCC_HOSTS', 'SSHCC_VERBOSE', 'MAKEFLAGS']) delete env[name];
  if (volunteer !== null) Object.assign(env, { SSHCC_SSH_CONFIG: volunteer.sshConfigFile, SSHCC_KNOWN_HOSTS: volunteer.knownHostsFile });
  return { ...env, ...extra };
}

const run = (argv: readonly string[], env: NodeJS.ProcessEnv, cwd = root): Promise<Run> => runCaptured(argv, { cwd, env });

const sshcc = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> => run([process.execPath, CLI, ...args], env);

function freshDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('sshcc install-server on a volunteer without the sshcc subsystem', () => {
  let volunteer: Volunteer;
  let home: string;
  let installDir: string;
  let first: Run;

  beforeAll(async () => {
    home = freshDir('volunteer-home');
    installDir = join(home, '.local/lib/sshcc');
    mkdirSync(join(root, 'client-home'), { recursive: true });
    volunteer = await startVolunteer({ subsystem: false, env: { HOME: home, TMPDIR: freshDir('volunteer-tmp') } });
    first = await sshcc(['install-server', volunteer.alias], clientEnv(volunteer));
  }, 60_000);

  afterAll(async () => {
    await run([SSHCC, 'agent', 'stop'], clientEnv(volunteer));
  }, 30_000);

  it('installs the bundle and its launcher into ~/.local/lib/sshcc, and checks them', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [, node, version] = NODE_LINE.exec(first.stdout) ?? [];
    expect(first.stdout.split('\n')[0]).toBe(`installing sshcc-server on ${volunteer.user}@127.0.0.1:${volunteer.port}`);
    expect(first.stdout).toMatch(new RegExp(`^ {2}upload: +\\d+ KiB by (sftp|exec) to ${installDir}/bin/sshcc-server\\.js$`, 'm'));
    expect(first.stdout).toContain('  check:     ok\n');
    expect(first.stdout).toContain('  serves:    sshcc-server/0.1.0, protocol 1, by exec ~/.local/lib/sshcc/sshcc-server\n');
    const [, count, names] = /^ {2}compilers: (\d+): (.*)$/m.exec(first.stdout) ?? [];
    expect(names?.split(', ')).toContain('gcc');
    expect(names?.split(', ')).toHaveLength(Number(count));
    expect(names).not.toMatch(/config/);
    expect(first.stdout).toContain(`installed sshcc-server 0.1.0 in ${installDir}.\n`);
    expect(first.stdout).toContain(`\n  Subsystem sshcc ${node} ${installDir}/bin/sshcc-server.js\n`);
    expect(version).toBe(process.version);
    expect(filesUnder(installDir)).toEqual(['bin/sshcc-server.js', 'sshcc-server']);
    expect(readFileSync(join(installDir, 'bin/sshcc-server.js')).equals(readFileSync(BUNDLE))).toBe(true);
    expect(statSync(join(installDir, 'sshcc-server')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(installDir, 'sshcc-server'), 'utf8')).toContain(`exec "$node" ${installDir}/bin/sshcc-server.js "$@"\n`);
  });

  it('builds a project through it with make: every object compiled there, identical to a local build', async () => {
    const project = freshDir('project');
    await expectBuildThrough(project, clientEnv(volunteer, { SSHCC_AGENT_IDLE: '60' }), volunteer.alias, join(root, 'jobs.log'), root);
  }, 120_000);

  it('upgrades in place: the bundle is replaced by a rename, and a server already running keeps working', async () => {
    const client = await connectClient(volunteer.connectOptions());
    clients.push(client);
    const session: ClientSession = await clientHandshake(await openExec(client, '~/.local/lib/sshcc/sshcc-server'));
    // What an older build left there: install-server sends the bundle only when it differs.
    appendFileSync(join(installDir, 'bin/sshcc-server.js'), '// an older build\n');
    const before = statSync(join(installDir, 'bin/sshcc-server.js')).ino;

    const again = await sshcc(['install-server', `@${volunteer.alias}`], clientEnv(volunteer));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`installed sshcc-server 0.1.0 in ${installDir} (was sshcc-server 0.1.0).\n`);
    expect(again.stdout).toMatch(/^ {2}upload: +\d+ KiB by (sftp|exec) to /m);
    expect(statSync(join(installDir, 'bin/sshcc-server.js')).ino).not.toBe(before);
    expect(readFileSync(join(installDir, 'bin/sshcc-server.js')).equals(readFileSync(BUNDLE))).toBe(true);
    expect(filesUnder(installDir)).toEqual(['bin/sshcc-server.js', 'sshcc-server']);

    const source = Buffer.from('int answer(void) { return 42; }\n');
    const result = await session.runJob(await gccJobSpec(root, { input: 'answer.c', output: 'answer.o', sourceBytes: source.length }), source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    expect(result.outputs.get('answer.o')?.subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
    await session.close();
  }, 60_000);
});

describe('sshcc install-server refusals', () => {
  it("refuses a node older than 20 where this machine's node cannot go instead (another architecture), and leaves nothing behind", async () => {
    const home = freshDir('old-node-home');
    const bin = freshDir('old-node-bin');
    const [here, there] = process.arch === 'arm64' ? ['aarch64', 'x86_64'] : ['x86_64', 'aarch64'];
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v18.19.0\n');
    writeFileSync(join(bin, 'uname'), `#!/bin/sh\n[ "$1" = -m ] && { echo ${there}; exit; }\nexec /usr/bin/uname "$@"\n`);
    for (const tool of ['node', 'uname']) chmodSync(join(bin, tool), 0o755);
    const volunteer = await startVolunteer({ subsystem: false, env: { HOME: home, PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` } });
    const result = await sshcc(['install-server', volunteer.alias], clientEnv(volunteer));
    expect(result.stderr).toBe(
      `sshcc: config: ${bin}/node on ${volunteer.user}@127.0.0.1:${volunteer.port} is Node v18.19.0; sshcc-server needs 20 or newer, and this machine's node cannot go instead: it is ${there}, and this machine's node is ${here}` +
        ' (install Node.js 20 or newer there, where a non-interactive `ssh host node --version` finds it)\n',
    );
    expect(result.code).toBe(102);
    expect(readdirSync(home)).toEqual([]);
  }, 60_000);

  it.each<[string[], string]>([
    [['install-server'], 'sshcc: usage: name a host, or give --local'],
    [['install-server', 'box', '--local'], 'sshcc: usage: a host and --local together'],
    [['install-server', 'localhost'], 'sshcc: usage: "localhost" is not one remote host'],
  ])('sshcc %j exits 100', async (args, message) => {
    const result = await sshcc(args, clientEnv(null));
    expect(result.stderr).toBe(`${message} (as in: sshcc install-server build1, sshcc install-server @me@build1:2222, or sshcc install-server --local)\n`);
    expect(result.code).toBe(100);
  });
});

describe('sshcc install-server --local', () => {
  it('installs for this user on this machine, and the launcher runs the bundle', async () => {
    const home = freshDir('local-home');
    const result = await sshcc(['install-server', '--local'], clientEnv(null, { HOME: home }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('installing sshcc-server on this machine');
    expect(result.stdout).toMatch(/^ {2}upload: +\d+ KiB by local to /m);
    expect(result.stdout).not.toContain('sshcc ping');
    const launcher = join(home, '.local/lib/sshcc/sshcc-server');
    expect(spawnSync(launcher, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).stdout).toBe('sshcc-server 0.1.0\n');
  }, 60_000);
});
