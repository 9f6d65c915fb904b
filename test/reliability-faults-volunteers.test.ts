// Reliability: volunteers that die, hang or lose their link in the middle of a `make -j8` build. The
// build must finish with every object identical to a local build; a job stuck on a hung volunteer must
// be noticed (ssh keepalives) and rerun elsewhere; the host must be backed off, then used again once it
// is back. Real sshd volunteers, real g++, the C shim as `sshcc`.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TcpProxy, Volunteer } from '@sshcc/testkit';
import { useBuildFixture } from './support/build-fixture';
import { compilersUnder, waitFor } from './support/build-processes';
import { generateProject, SSHCC, type GeneratedProject } from './support/build-project';
import { buildReference, expectMatchesReference, OBJ_DIR, REF_DIR } from './support/build-reference';
import type { BuildSession, Running } from './support/build-session';
import { compilersUnderAny, hostTookWorkAgain, leftoversIn, sourcesCompilingUnder, volunteerMidJob } from './support/fault-build';
import { routeThroughProxy } from './support/fault-proxy';
import { agentStats, backoffLines, faultEnvironment, failuresOn } from './support/fault-session';

/** ~0.5 s of g++ -O2 each: enough work left after a fault for the host to come back and take some. */
const GENERATED_FILES = 24;
const MAKE_ARGS = ['-j8', `O=${OBJ_DIR}`, `CC=${SSHCC} gcc`, `CXX=${SSHCC} g++`];
/** Generous: this machine may be running other suites at the same time. */
const WAIT_MS = 90_000;

let project: GeneratedProject;

const fixture = useBuildFixture({
  name: 'sshcc-reliability-volunteers-',
  prepare(work) {
    project = generateProject(work, GENERATED_FILES);
    buildReference(project.dir);
  },
  prepareMs: 180_000,
  projects: () => [project.dir],
});

function make(s: BuildSession, env: NodeJS.ProcessEnv): Running {
  return s.start(['make', ...MAKE_ARGS], { cwd: project.dir, env });
}

/** A fault's target: the volunteer `i`, its host spec in SSHCC_HOSTS, and the other one's. */
interface Target {
  readonly i: number;
  readonly volunteer: Volunteer;
  readonly host: string;
  readonly other: string;
}

function target(s: BuildSession, i: number): Target {
  const volunteer = s.volunteers[i];
  if (volunteer === undefined) throw new Error(`no volunteer ${i}`);
  return { i, volunteer, host: s.hostOf(i), other: s.hostOf(1 - i) };
}

/** Waits until 2 compiles are done and volunteer `only` (or any) has one in flight; returns it. */
async function midBuild(s: BuildSession, only?: number): Promise<Target> {
  const i =
    only === undefined
      ? await volunteerMidJob(s, 2, WAIT_MS)
      : (await waitFor(() => s.compileJobs().length >= 2 && sourcesCompilingUnder(s.volunteerTmp[only] as string).length > 0, WAIT_MS, 10))
        ? only
        : null;
  if (i === null) throw new Error(`no volunteer had a compile in flight within ${WAIT_MS} ms; agent log:\n${s.agentLog()}`);
  return target(s, i);
}

/** A build under way through `s` with the fault settings, and the fault's target (see midBuild). */
interface UnderWay {
  readonly env: NodeJS.ProcessEnv;
  readonly build: Running;
  readonly t: Target;
  /** The target's backoff lines in the agent log so far. */
  readonly before: number;
}

async function buildUnderWay(s: BuildSession, only?: number): Promise<UnderWay> {
  const env = faultEnvironment(s);
  const build = make(s, env);
  const t = await midBuild(s, only);
  return { env, build, t, before: backoffLines(s, t.host).length };
}

/** Volunteer 0 reached through a loopback TCP proxy, closed after the test. */
async function behindProxy(s: BuildSession): Promise<TcpProxy> {
  const proxy = await routeThroughProxy(s, 0);
  fixture.defer(() => proxy.close());
  return proxy;
}

/**
 * The build succeeded, lost nothing, and matches the local build; the volunteers run nothing any more
 * and hold no job dir but those of `diedWith` (a machine that dies takes its cleanup with it: the next
 * server start sweeps them once no live job could own them). `since`: SSHCC_LOG lines before this build.
 */
async function expectGoodBuild(s: BuildSession, build: Running, since: number, diedWith: readonly string[] = []): Promise<void> {
  const result = await build.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const logged = s.compileJobs().slice(since);
  expect(logged.map((job) => job.output).sort()).toEqual([...project.objects(OBJ_DIR)].sort());
  expect(logged.filter((job) => job.host === null)).toEqual([]);
  expectMatchesReference(project.dir, project.objects(OBJ_DIR));
  expect(execFileSync(join(project.dir, OBJ_DIR, 'program'), { encoding: 'utf8' })).toBe(
    execFileSync(join(project.dir, REF_DIR, 'program'), { encoding: 'utf8' }),
  );
  // A compile cut off by the fault is killed on its volunteer and its job dir removed, once it can run again.
  const clean = (): boolean =>
    compilersUnderAny(s.volunteerTmp).length === 0 && leftoversIn(s.volunteerTmp).every((dir) => diedWith.includes(dir));
  expect(await waitFor(clean, 10_000)).toBe(true);
}

/**
 * The build finishes well, and the faulted host, back now, takes jobs again: in what is left of this
 * build, or else (the build ended first) in a fresh build of everything, which needs both hosts' slots.
 */
async function expectBackInUse(s: BuildSession, env: NodeJS.ProcessEnv, build: Running, t: Target, diedWith: readonly string[] = []): Promise<void> {
  const since = s.compileJobs().length;
  let tookWork = await hostTookWorkAgain(s, t.host, since, build, WAIT_MS);
  await expectGoodBuild(s, build, 0, diedWith);
  if (!tookWork) {
    rmSync(join(project.dir, OBJ_DIR), { recursive: true, force: true });
    const before = s.compileJobs().length;
    const again = make(s, env);
    tookWork = await hostTookWorkAgain(s, t.host, before, again, WAIT_MS);
    await expectGoodBuild(s, again, before, diedWith);
  }
  expect(tookWork).toBe(true);
}

test('sshd killed mid-build: the jobs it held rerun on the other volunteer; it is backed off, restarted, and takes jobs again', async () => {
  const s = await fixture.start({ volunteers: 2 });
  const { env, build, t } = await buildUnderWay(s);
  const inFlight = sourcesCompilingUnder(s.volunteerTmp[t.i] as string);
  await t.volunteer.kill();
  const diedWith = leftoversIn([s.volunteerTmp[t.i] as string]);
  expect(await waitFor(() => backoffLines(s, t.host).length > 0, 10_000)).toBe(true);
  await t.volunteer.restart();
  await expectBackInUse(s, env, build, t, diedWith);

  // What was compiling on the dead volunteer was compiled again, elsewhere or on it once it was back.
  expect(inFlight.length).toBeGreaterThan(0);
  const stats = agentStats(env);
  expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
  expect(failuresOn(stats, t.host)).toBeGreaterThanOrEqual(1);
  expect(stats.hosts[t.host]?.backoffs).toBeGreaterThanOrEqual(1);
  expect(stats.hosts[t.other]?.jobs).toBeGreaterThan(0);
}, 300_000);

test('sshd paused (SIGSTOP) mid-job: keepalives find the hung host, its jobs rerun elsewhere; resumed, it takes jobs again', async () => {
  const s = await fixture.start({ volunteers: 2 });
  const { env, build, t, before } = await buildUnderWay(s);
  const pausedAt = Date.now();
  t.volunteer.pause();
  // Nothing answers, nothing closes: only the keepalives (1 s, 3 missed) can tell.
  expect(await waitFor(() => backoffLines(s, t.host).length > before, 30_000)).toBe(true);
  const detectedMs = Date.now() - pausedAt;
  expect(detectedMs).toBeLessThan(20_000);
  expect(backoffLines(s, t.host).slice(before).join('\n')).toMatch(/stopped answering \(keepalive timeout\)|timed out/);
  t.volunteer.resume();
  await expectBackInUse(s, env, build, t);
  const stats = agentStats(env);
  expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
  expect(failuresOn(stats, t.host)).toBeGreaterThanOrEqual(1);
}, 300_000);

describe('a volunteer behind a loopback TCP proxy', () => {
  test('black hole (traffic stalls, sockets stay open): keepalives drop it, its jobs rerun elsewhere; traffic back, it takes jobs again', async () => {
    const s = await fixture.start({ volunteers: 2 });
    const proxy = await behindProxy(s);
    const { env, build, t, before } = await buildUnderWay(s, 0);
    proxy.pauseTraffic();
    expect(await waitFor(() => backoffLines(s, t.host).length > before, 30_000)).toBe(true);
    expect(backoffLines(s, t.host).slice(before).join('\n')).toMatch(/stopped answering \(keepalive timeout\)|timed out/);
    proxy.resumeTraffic();
    await expectBackInUse(s, env, build, t);
    const stats = agentStats(env);
    expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
    expect(failuresOn(stats, t.host)).toBeGreaterThanOrEqual(1);
  }, 300_000);

  test('every connection reset (cutAll): its jobs rerun elsewhere at once; it is backed off, then takes jobs again', async () => {
    const s = await fixture.start({ volunteers: 2 });
    const proxy = await behindProxy(s);
    const { env, build, t, before } = await buildUnderWay(s, 0);
    const cutAt = Date.now();
    proxy.cutAll();
    expect(await waitFor(() => backoffLines(s, t.host).length > before, 10_000)).toBe(true);
    // A reset is seen at once, not after keepalives.
    expect(Date.now() - cutAt).toBeLessThan(3000);
    await expectBackInUse(s, env, build, t);
    const stats = agentStats(env);
    expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
    expect(compilersUnder(project.dir)).toEqual([]);
  }, 300_000);
});
