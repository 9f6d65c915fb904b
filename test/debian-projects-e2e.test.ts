// Other people's builds: real projects from Debian's source packages (test/debian-sources; scripts/setup
// fetches them as root), each built with its own build system through sshcc against a real sshd
// volunteer, then its own test suite run on the result. Each puts sshcc in the compiler's place as its
// users would (test/support/debian-projects.ts). Held to: the test suite passes, most compiles went
// remote and no job failed over, and every object and dependency file matches a local build of the same
// tree (byte for byte, or as DESIGN.md's facts allow for -g). The report line gives each project's
// version, remote share and departure reasons (`sshcc stats --json`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from '@sshcc/testkit';
import { runCaptured } from './support/captured-run';
import { compareBuildTrees } from './support/build-compare';
import { SSHCC } from './support/build-project';
import { BuildSession } from './support/build-session';
import { DEBIAN_PROJECTS, type DebianProject, type Step } from './support/debian-projects';
import { extractSource, findSource, listedSources } from './support/debian-source';
import { agentStats, type AgentStats } from './support/fault-session';
import { readJobLog } from './support/job-log';

/** At least this share of a build's compiles runs on the volunteer or comes from the cache (the rest: departures it names). */
const MIN_REMOTE_SHARE = 0.9;
const PROJECT_MS = 600_000;

const found = new Map(listedSources().map((pkg) => [pkg, findSource(pkg)]));
const missing = [...found.values()].filter((source): source is string => typeof source === 'string');

test('every package test/debian-sources fetches has a build here, and every build its package', () => {
  expect(DEBIAN_PROJECTS.map((project) => project.package).sort()).toEqual([...found.keys()].sort());
});

test('a source never fetched, or whose tarball is not the one its .dsc names, is reported with the command that fetches it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshcc-debian-sources-'));
  try {
    const fix = /: run `(sudo )?scripts\/setup` \(it fetches them/;
    expect(findSource('demo', dir)).toMatch(new RegExp(`^the Debian source of demo is not in ${dir}/demo${fix.source}`));
    const tarball = Buffer.from('a tarball');
    const sha256 = createHash('sha256').update(tarball).digest('hex');
    mkdirSync(join(dir, 'demo'));
    writeFileSync(join(dir, 'demo', 'demo_1.0-2.dsc'), `Source: demo\nVersion: 1.0-2\nChecksums-Sha256:\n ${sha256} ${tarball.length} demo_1.0.orig.tar.gz\n 00 1 demo_1.0-2.debian.tar.xz\n`);
    writeFileSync(join(dir, 'demo', 'demo_1.0.orig.tar.gz'), tarball);
    expect(findSource('demo', dir)).toEqual({ package: 'demo', version: '1.0-2', tarball: join(dir, 'demo', 'demo_1.0.orig.tar.gz') });
    writeFileSync(join(dir, 'demo', 'demo_1.0.orig.tar.gz'), 'another tarball');
    expect(findSource('demo', dir)).toMatch(new RegExp(`demo_1\\.0\\.orig\\.tar\\.gz does not match its \\.dsc's sha256${fix.source}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

if (missing.length > 0 && process.getuid?.() !== 0) {
  test('the Debian projects cannot be built here: not root, and their sources were never fetched; the reason is printed', () => {
    console.log(`Debian project builds not run: not root (uid ${process.getuid?.()}): ${missing.join('; ')}`);
    expect(missing.join('\n')).toMatch(/sudo scripts\/setup/);
  });
} else {
  let work: string;
  let session: BuildSession;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sshcc-debian-'));
    session = await BuildSession.start({ volunteers: 1, slots: 4 });
  }, 120_000);

  afterAll(async () => {
    await session?.stop();
    await stopAll();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test.each(DEBIAN_PROJECTS.map((project) => [project.package, project.buildSystem, project.route, project] as const))(
    '%s (%s, sshcc by %s): its own test suite passes, most compiles ran remotely, objects match a local build',
    async (_pkg, _system, _route, project) => {
      const source = found.get(project.package);
      if (typeof source === 'string' || source === undefined) throw new Error(source ?? `${project.package} is not in test/debian-sources`);
      const started = Date.now();
      const extract = await timed(() => extractSource(source, join(work, project.package)));
      const tree = extract.value;
      const reference = await timed(() => buildReference(project, tree));
      const env = routeEnvironment(project, session);
      zeroStats(env);

      const configure = await timed(async () => {
        for (const step of project.configure(SSHCC)) await mustRun(step, tree, env);
      });
      // The build's own jobs only: configure's probes (reported, not held to the bound) would count too.
      const probes = agentStats(env);
      zeroStats(env);
      rmSync(env.SSHCC_LOG as string, { force: true });
      const build = await timed(() => mustRun(project.build, tree, env));
      const check = await timed(() => mustRun(project.check, tree, env));

      const stats = agentStats(env);
      const share = remoteShare(stats);
      const compare = await timed(() => compareBuildTrees(join(tree, 'ref'), join(tree, 'build')));
      const comparison = compare.value;
      console.log(
        [
          `${project.package} ${source.version} (${project.buildSystem}, sshcc by ${project.route}): ${project.checkSummary(check.value)}`,
          `  configure: ${probes.jobs.total} jobs, ${probes.jobs.remote} remote; ${departureList(probes)}`,
          `  compiles: ${share.remote} of ${share.compiles} remote, ${share.cached} answered by the agent's cache (${(100 * share.share).toFixed(1)}% not compiled here); ${departureList(stats)}`,
          `  objects vs a local build: ${comparison.identical.length} identical, ${comparison.debugEquivalent.length} differing only in DW_AT_producer (-g), ${comparison.differences.length} differing; libraries identical: ${project.libraries.join(', ') || 'none compared (-g)'}`,
          `  wall: extract ${seconds(extract.ms)}, local reference ${seconds(reference.ms)}, configure ${seconds(configure.ms)}, build ${seconds(build.ms)}, tests ${seconds(check.ms)}, compare ${seconds(compare.ms)}, all ${seconds(Date.now() - started)}`,
        ].join('\n'),
      );

      expect(comparison.differences).toEqual([]);
      expect(comparison.compared.length).toBeGreaterThan(0);
      for (const library of project.libraries) expect(readFileSync(join(tree, 'build', library)).equals(readFileSync(join(tree, 'ref', library)))).toBe(true);
      expect(stats.jobs.failedOver).toBe(0);
      expect(stats.jobs.errors).toBe(0);
      expect(share.compiles).toBeGreaterThan(10);
      expect(share.share).toBeGreaterThanOrEqual(MIN_REMOTE_SHARE);
      // The job log names every compile, so the remote count is the build's own, not only the agent's view.
      expect(readJobLog(env.SSHCC_LOG as string).filter((job) => job.host !== null)).toHaveLength(share.remote);
    },
    PROJECT_MS,
  );
}

/** The session's environment, with sshcc in the compiler's place as `project.route` says. */
function routeEnvironment(project: DebianProject, s: BuildSession): NodeJS.ProcessEnv {
  if (project.route !== 'masquerade') return s.env;
  const links = join(s.dir, 'masquerade');
  const made = spawnSync(SSHCC, ['masquerade', links], { env: s.env, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`sshcc masquerade failed: ${made.stderr}`);
  return { ...s.env, PATH: `${links}:${s.env.PATH ?? ''}` };
}

/** `sshcc stats -z`: the agent counts from zero. */
function zeroStats(env: NodeJS.ProcessEnv): void {
  const zeroed = spawnSync(SSHCC, ['stats', '-z'], { env, encoding: 'utf8' });
  if (zeroed.status !== 0) throw new Error(`sshcc stats -z failed (${zeroed.status}): ${zeroed.stderr}`);
}

/** Configures and builds `tree` with plain gcc, then moves <tree>/build aside to <tree>/ref. */
async function buildReference(project: DebianProject, tree: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', LC_ALL: 'C' };
  delete env.MAKEFLAGS;
  delete env.MFLAGS;
  for (const step of [...project.configure(null), project.build]) await mustRun(step, tree, env);
  renameSync(join(tree, 'build'), join(tree, 'ref'));
  mkdirSync(join(tree, 'build'));
}

/** Runs the step to its end; its stdout, or an error with the end of what it printed. */
async function mustRun(step: Step, tree: string, env: NodeJS.ProcessEnv): Promise<string> {
  const run = await runCaptured(step.argv, { cwd: join(tree, step.cwd), env: { ...env, ...step.env } });
  if (run.code !== 0) throw new Error(`${step.argv.join(' ')} (in ${step.cwd}) exited ${run.code}:\n${(run.stdout + run.stderr).slice(-4000)}`);
  return run.stdout;
}

/** What `work` gave, and how long it took (ms). */
async function timed<T>(work: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Local reasons that are not compiles at all (a link, the driver asked its version): no share of the remote count. */
const NOT_COMPILES = new Set(['link', 'info-only', 'preprocess-only', 'deps-only']);
/** A compile the agent's result cache answered (a build that compiles one source twice alike): nothing ran here. */
const CACHED = new Set(['agent-cache', 'agent-cache-direct']);

interface RemoteShare {
  readonly compiles: number;
  readonly remote: number;
  readonly cached: number;
  /** (remote + cached) / compiles. */
  readonly share: number;
}

function remoteShare(stats: AgentStats): RemoteShare {
  const sum = (wanted: Set<string>) =>
    Object.entries(stats.jobs.localByReason)
      .filter(([reason]) => wanted.has(reason))
      .reduce((total, [, n]) => total + n, 0);
  const compiles = stats.jobs.total - sum(NOT_COMPILES);
  const cached = sum(CACHED);
  return { compiles, remote: stats.jobs.remote, cached, share: compiles === 0 ? 0 : (stats.jobs.remote + cached) / compiles };
}

function departureList(stats: AgentStats): string {
  const reasons = Object.entries(stats.jobs.localByReason).sort(([a], [b]) => a.localeCompare(b));
  return reasons.length === 0 ? 'nothing ran here' : `here: ${reasons.map(([reason, n]) => `${reason} ${n}`).join(', ')}`;
}
