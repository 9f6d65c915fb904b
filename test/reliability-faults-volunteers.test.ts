// Reliability: volunteers that die, hang or lose their link in the middle of a `make -j8` build. The
// build must finish with every object identical to a local build; a job stuck on a hung volunteer must
// be noticed (ssh keepalives) and rerun elsewhere; the host must be backed off, then used again once it
// is back. Real sshd volunteers, real g++, the C shim as `sshcc`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll, type TcpProxy } from '@sshcc/testkit';
import { compilersUnder, waitFor } from './support/build-processes';
import { generateProject, SSHCC, type GeneratedProject } from './support/build-project';
import { buildReference, expectMatchesReference, OBJ_DIR, REF_DIR } from './support/build-reference';
import { BuildSession, type Running } from './support/build-session';
import { compilersUnderAny, hostTookWorkAgain, leftoversIn, sourcesCompilingUnder } from './support/fault-build';
import { agentStats, backoffLines, faultEnvironment, failuresOn } from './support/fault-session';
import { routeThroughProxy } from './support/fault-proxy';

/** ~0.5 s of g++ -O2 each: enough work left after a fault for the host to come back and take some. */
const GENERATED_FILES = 24;
const MAKE_ARGS = ['-j8', `O=${OBJ_DIR}`, `CC=${SSHCC} gcc`, `CXX=${SSHCC} g++`];

let work: string;
let project: GeneratedProject;
let session: BuildSession | undefined;
let proxy: TcpProxy | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sshcc-reliability-volunteers-'));
  project = generateProject(work, GENERATED_FILES);
  buildReference(project.dir);
}, 120_000);

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await session?.stop();
  session = undefined;
  rmSync(join(project.dir, OBJ_DIR), { recursive: true, force: true });
}, 30_000);

afterAll(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

function make(s: BuildSession, env: NodeJS.ProcessEnv): Running {
  return s.start(['make', ...MAKE_ARGS], { cwd: project.dir, env });
}

/** Waits until volunteer `i` has compilers running and `done` compiles have finished somewhere. */
async function midBuild(s: BuildSession, i: number, done = 2): Promise<void> {
  const tmp = s.volunteerTmp[i] as string;
  const started = await waitFor(() => s.compileJobs().length >= done && sourcesCompilingUnder(tmp).length > 0, 90_000, 10);
  expect(started).toBe(true);
}

/**
 * The build succeeded, lost nothing, and matches the local build; the volunteers run nothing any more
 * and hold no job dir but those of `diedWith` (a machine that dies takes its cleanup with it: the next
 * server start sweeps them once no live job could own them).
 */
async function expectGoodBuild(s: BuildSession, build: Running, diedWith: readonly string[] = []): Promise<void> {
  const result = await build.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const logged = s.compileJobs().map((job) => job.output);
  expect(new Set(logged)).toEqual(new Set(project.objects(OBJ_DIR)));
  expect(logged).toHaveLength(project.objects(OBJ_DIR).length);
  expectMatchesReference(project.dir, project.objects(OBJ_DIR));
  expect(execFileSync(join(project.dir, OBJ_DIR, 'program'), { encoding: 'utf8' })).toBe(
    execFileSync(join(project.dir, REF_DIR, 'program'), { encoding: 'utf8' }),
  );
  // A compile cut off by the fault is killed on its volunteer and its job dir removed, once it can run again.
  const clean = (): boolean =>
    compilersUnderAny(s.volunteerTmp).length === 0 && leftoversIn(s.volunteerTmp).every((dir) => diedWith.includes(dir));
  expect(await waitFor(clean, 10_000)).toBe(true);
}

test('sshd killed mid-build: the jobs it held rerun on the other volunteer; it is backed off, restarted, and takes jobs again', async () => {
  session = await BuildSession.start({ volunteers: 2 });
  const s = session;
  const env = faultEnvironment(s);
  const [victim, victimHost, otherHost] = [s.volunteers[0], s.hostOf(0), s.hostOf(1)];
  if (victim === undefined) throw new Error('two volunteers expected');
  const build = make(s, env);
  await midBuild(s, 0);
  const inFlight = sourcesCompilingUnder(s.volunteerTmp[0] as string);
  await victim.kill();
  const diedWith = leftoversIn([s.volunteerTmp[0] as string]);
  expect(await waitFor(() => backoffLines(s, victimHost).length > 0, 10_000)).toBe(true);
  await victim.restart();
  const sinceRestart = s.compileJobs().length;
  expect(await hostTookWorkAgain(s, victimHost, sinceRestart, build, 90_000)).toBe(true);
  await expectGoodBuild(s, build, diedWith);

  // What was compiling on the dead volunteer was compiled again, elsewhere or on it once it was back.
  expect(inFlight.length).toBeGreaterThan(0);
  const stats = agentStats(env);
  expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
  expect(failuresOn(stats, victimHost)).toBeGreaterThanOrEqual(1);
  expect(stats.hosts[victimHost]?.backoffs).toBeGreaterThanOrEqual(1);
  expect(stats.hosts[otherHost]?.jobs).toBeGreaterThan(0);
  expect(s.compileJobs().filter((job) => job.host === null)).toEqual([]);
}, 180_000);

test('sshd paused (SIGSTOP) mid-job: keepalives find the hung host, its jobs rerun elsewhere; resumed, it takes jobs again', async () => {
  session = await BuildSession.start({ volunteers: 2 });
  const s = session;
  const env = faultEnvironment(s);
  const [victim, victimHost] = [s.volunteers[0], s.hostOf(0)];
  if (victim === undefined) throw new Error('two volunteers expected');
  const build = make(s, env);
  await midBuild(s, 0);
  const pausedAt = Date.now();
  victim.pause();
  // Nothing answers, nothing closes: only the keepalives (1 s, 3 missed) can tell.
  expect(await waitFor(() => backoffLines(s, victimHost).length > 0, 20_000)).toBe(true);
  const detectedMs = Date.now() - pausedAt;
  expect(detectedMs).toBeLessThan(15_000);
  expect(backoffLines(s, victimHost).join('\n')).toMatch(/keepalive|timed out|timeout/i);
  victim.resume();
  const sinceResume = s.compileJobs().length;
  expect(await hostTookWorkAgain(s, victimHost, sinceResume, build, 90_000)).toBe(true);
  await expectGoodBuild(s, build);
  const stats = agentStats(env);
  expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
  expect(s.compileJobs().filter((job) => job.host === null)).toEqual([]);
}, 180_000);

describe('a volunteer behind a loopback TCP proxy', () => {
  test('black hole (traffic stalls, sockets stay open): keepalives drop it, its jobs rerun elsewhere; traffic back, it takes jobs again', async () => {
    session = await BuildSession.start({ volunteers: 2 });
    const s = session;
    const env = faultEnvironment(s);
    proxy = await routeThroughProxy(s, 0);
    const victimHost = s.hostOf(0);
    const build = make(s, env);
    await midBuild(s, 0);
    proxy.pauseTraffic();
    expect(await waitFor(() => backoffLines(s, victimHost).length > 0, 20_000)).toBe(true);
    expect(backoffLines(s, victimHost).join('\n')).toMatch(/keepalive|timed out|timeout/i);
    proxy.resumeTraffic();
    const since = s.compileJobs().length;
    expect(await hostTookWorkAgain(s, victimHost, since, build, 90_000)).toBe(true);
    await expectGoodBuild(s, build);
    const stats = agentStats(env);
    expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
    expect(s.compileJobs().filter((job) => job.host === null)).toEqual([]);
  }, 180_000);

  test('every connection reset (cutAll): its jobs rerun elsewhere at once; it is backed off, then takes jobs again', async () => {
    session = await BuildSession.start({ volunteers: 2 });
    const s = session;
    const env = faultEnvironment(s);
    proxy = await routeThroughProxy(s, 0);
    const victimHost = s.hostOf(0);
    const build = make(s, env);
    await midBuild(s, 0);
    const cutAt = Date.now();
    proxy.cutAll();
    expect(await waitFor(() => backoffLines(s, victimHost).length > 0, 10_000)).toBe(true);
    // A reset is seen at once, not after keepalives.
    expect(Date.now() - cutAt).toBeLessThan(3000);
    const since = s.compileJobs().length;
    expect(await hostTookWorkAgain(s, victimHost, since, build, 90_000)).toBe(true);
    await expectGoodBuild(s, build);
    const stats = agentStats(env);
    expect(stats.jobs.failedOver).toBeGreaterThanOrEqual(1);
    expect(s.compileJobs().filter((job) => job.host === null)).toEqual([]);
    expect(compilersUnder(project.dir)).toEqual([]);
  }, 180_000);
});
