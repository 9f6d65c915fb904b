// `sshcc doctor` against real sshd volunteers: a healthy one; one whose clock runs an hour ahead (its
// sshcc-server's Date.now shifted by a --require'd module, test/support/skewed-clock.cjs: no faketime,
// nothing in the server itself); one without sshcc-server; and a port where nothing listens. PATH and
// masquerade folders are set per run. Runs the BUILT CLI (npm run build first).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeMasqueradeLinks } from '../packages/client/src/masquerade';
import { DoctorReportSchema, type DoctorReport } from '../packages/client/src/doctor';
import { makeClientConfig, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { runCaptured, type CapturedRun as Run } from './support/captured-run';

const CLI = resolve(__dirname, '../packages/client/bin/sshcc.js');
const DIST = resolve(__dirname, '../packages/client/dist');
const SSHCC = join(DIST, 'sshcc');
const SKEW_MS = 3_600_000;

let root: string;
let config: ClientConfig;
let good: Volunteer;
let skewed: Volunteer;
let bare: Volunteer;
let closedPort: number;
let masq: string;
const systemPath = '/usr/local/bin:/usr/bin:/bin';

/** A loopback port nothing listens on: bound, then closed. */
function closedLoopbackPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'cli', 'main.js'))) throw new Error(`${DIST} is not built: npm run build first`);
  root = mkdtempSync(join(tmpdir(), 'sshcc-doctor-'));
  for (const dir of ['client-home', 'bare-home']) mkdirSync(join(root, dir));
  masq = join(root, 'masq');
  makeMasqueradeLinks(masq, SSHCC);
  [good, skewed, bare] = await Promise.all([
    startVolunteer(),
    startVolunteer({ env: { NODE_OPTIONS: `--require=${resolve(__dirname, 'support/skewed-clock.cjs')}`, SSHCC_TEST_CLOCK_SKEW_MS: String(SKEW_MS) } }),
    // Neither the subsystem nor a per-user install in its (empty) home.
    startVolunteer({ subsystem: false, env: { HOME: join(root, 'bare-home') } }),
  ]);
  config = await makeClientConfig([good, skewed, bare]);
  closedPort = await closedLoopbackPort();
}, 60_000);

afterAll(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

function clientEnv(hosts: readonly string[], path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...config.env,
    HOME: join(root, 'client-home'),
    SSHCC_DIR: join(root, 'client-home', '.sshcc'),
    SSHCC_HOSTS: hosts.join(' '),
    PATH: path,
  };
  for (const name of ['SSH_AUTH_SOCK', 'SSHCC_SERVER_COMMAND', 'DISTCC_HOSTS', 'SSHCC_PACKS', 'CC']) delete env[name];
  return env;
}

function doctor(args: readonly string[], hosts: readonly string[], path: string): Promise<Run> {
  return runCaptured([process.execPath, CLI, 'doctor', ...args], { cwd: root, env: clientEnv(hosts, path) });
}

describe('sshcc doctor', () => {
  it('finds nothing wrong with a healthy volunteer and a masquerade folder first on PATH, and exits 0', async () => {
    const path = `${masq}:${DIST}:${systemPath}`;
    // One compile through the masquerade link first, so the agent has counted where it ran.
    writeFileSync(join(root, 'one.c'), 'int one(void) { return 1; }\n');
    expect(await runCaptured(['gcc', '-c', 'one.c', '-o', 'one.o'], { cwd: root, env: clientEnv([good.alias], path) })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await runCaptured([process.execPath, CLI, 'agent', 'stop'], { cwd: root, env: clientEnv([good.alias], path) })).code).toBe(0);
    const run = await doctor([], [good.alias], path);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const sections = run.stdout.split('\n').filter((line) => /^\S/.test(line));
    expect(sections).toEqual([
      `host list: SSHCC_HOSTS (looked at SSHCC_HOSTS)`,
      'volunteers:',
      'sshcc:',
      'masquerade:',
      `compiles so far (${join(root, 'client-home', '.sshcc', 'stats.json')}):`,
      'no problems found',
    ]);
    expect(run.stdout).toContain('\n  remote:  1 of 1\n  here:    0\n');
    expect(run.stdout).toContain(`\n  ${good.alias}: ok (${good.user}@127.0.0.1:${good.port})\n`);
    expect(run.stdout).toMatch(/^ {4}clock: +\d+\.\d{3} s (ahead of|behind) this machine \(± \d+\.\d{3} s\)$/m);
    expect(run.stdout).toMatch(/^ {4}compilers: +match: .*\bgcc\b/m);
    expect(run.stdout).toContain(`  this:        ${SSHCC} (the C shim)\n  on PATH:     ${SSHCC} (this one)\n  C compiler:  cc: ${onSystemPath('cc')}\n`);
    expect(run.stdout).toContain(`  ${masq}: PATH entry 1; gcc, g++, cc, c++, clang, clang++ lead to this sshcc\n`);
  }, 60_000);

  describe('--json, with every kind of trouble at once', () => {
    let run: Run;
    let report: DoctorReport;

    beforeAll(async () => {
      // The masquerade folder after /usr/bin: `gcc` there is the real one.
      run = await doctor(['--json'], [good.alias, `${good.alias}:${closedPort}`, bare.alias, skewed.alias], `${DIST}:${systemPath}:${masq}`);
      report = DoctorReportSchema.parse(JSON.parse(run.stdout));
    }, 60_000);

    it('parses against the schema, lists the hosts as the list gave them, and exits 107', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(107);
      expect(report.ok).toBe(false);
      expect(report.hostList).toMatchObject({ source: { kind: 'env', name: 'SSHCC_HOSTS' }, error: null });
      expect(report.hostList.hosts.map((host) => [host.spec, host.slots])).toEqual([
        [good.alias, 4],
        [`${good.alias}:${closedPort}`, 4],
        [bare.alias, 4],
        [skewed.alias, 4],
      ]);
      expect(report.hosts.map((host) => [host.host, host.usable])).toEqual([
        [good.alias, true],
        [`${good.alias}:${closedPort}`, false],
        [bare.alias, false],
        [skewed.alias, true],
      ]);
      expect(report.client).toEqual({ self: { path: SSHCC, kind: 'shim' }, onPath: { path: SSHCC, kind: 'shim', sameAsSelf: true }, cc: { name: 'cc', path: onSystemPath('cc') ?? null } });
    });

    it('names each problem with the command that fixes it, and nothing else', () => {
      expect(report.problems.map(({ code, severity, subject, command }) => ({ code, severity, subject, command }))).toEqual([
        { code: 'unreachable', severity: 'error', subject: `${good.alias}:${closedPort}`, command: `ssh -v -p ${closedPort} ${good.alias} true` },
        { code: 'server-not-installed', severity: 'error', subject: bare.alias, command: `sshcc install-server ${bare.alias}` },
        { code: 'clock-skew', severity: 'warning', subject: skewed.alias, command: 'sudo timedatectl set-ntp true' },
        { code: 'masquerade-shadowed', severity: 'error', subject: masq, command: `export PATH="${masq}:$PATH"` },
      ]);
      const [first] = shadowing();
      expect(report.problems[3]?.message).toBe(
        `PATH lists ${first?.path.slice(0, first.path.lastIndexOf('/'))} before it, so \`gcc\` runs ${first?.path}, not sshcc (${shadowing().map((s) => s.name).join(', ')})`,
      );
    });

    it('bounds each clock by the round trip to its hello: the skewed one an hour ahead, the others in step', () => {
      // The volunteers share this machine's clock, so the truth is known: 0, and SKEW_MS for the skewed
      // one. It must lie within the reported uncertainty (0.1 ms of rounding allowed), however loaded the machine.
      const [inStep, , , ahead] = report.hosts;
      expect(Math.abs(inStep?.clock?.skewMs ?? NaN)).toBeLessThanOrEqual((inStep?.clock?.uncertaintyMs ?? NaN) + 0.1);
      expect(Math.abs((ahead?.clock?.skewMs ?? NaN) - SKEW_MS)).toBeLessThanOrEqual((ahead?.clock?.uncertaintyMs ?? NaN) + 0.1);
      expect(report.hosts[1]?.clock).toBeNull();
      expect(report.problems[2]?.message).toMatch(/^its clock is 3[56]\d\d\.\d s ahead of this machine's \(± \d+\.\d{3} s\); __DATE__ and __TIME__/);
    });

    it('reports the masquerade folder where PATH puts it, with where its links lead', () => {
      expect(report.masquerade).toEqual([
        {
          dir: masq,
          pathIndex: 4,
          links: ['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++'].map((name) => ({ name, path: join(masq, name), state: 'self', target: SSHCC })),
          shadowedBy: shadowing(),
          ccacheAfter: null,
        },
      ]);
    });
  });

  it('prints each problem with its fix and the command to run', async () => {
    const run = await doctor(['--masquerade', join(root, 'elsewhere')], [good.alias], `${DIST}:${systemPath}`);
    expect(run.code).toBe(107);
    expect(run.stdout).toContain(
      [
        'problems (1):',
        `  error ${join(root, 'elsewhere')}: this masquerade folder is not on PATH, so builds never run its links`,
        '    fix:  put it first on PATH',
        `    run:  export PATH="${join(root, 'elsewhere')}:$PATH"`,
        '',
      ].join('\n'),
    );
  }, 60_000);
});

function onSystemPath(name: string): string | undefined {
  return systemPath.split(':').map((dir) => join(dir, name)).find((file) => existsSync(file));
}

/** The real compilers of the masquerade names that the system PATH finds, in the links' order. */
function shadowing(): { name: string; path: string }[] {
  return ['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++'].flatMap((name) => {
    const path = onSystemPath(name);
    return path === undefined ? [] : [{ name, path }];
  });
}
