// Reliability soak: 2,000 compile jobs (`make -j16` of 2,000 trivial C files) through three real sshd
// volunteers while one of them is killed and restarted every few seconds. Zero failed jobs, and every
// object identical to a local build. Bounded: trivial sources, so it is the jobs that are many, not CPU.
import { join } from 'node:path';
import { compareBuilds } from './support/build-compare';
import { useBuildFixture } from './support/build-fixture';
import { waitFor } from './support/build-processes';
import { SSHCC, type GeneratedProject } from './support/build-project';
import { buildReference, OBJ_DIR, REF_DIR } from './support/build-reference';
import { generateCProject } from './support/fault-c-project';
import { compilersUnderAny, leftoversIn } from './support/fault-build';
import { agentStats, failuresOn, faultEnvironment } from './support/fault-session';

const JOBS = 2000;
/** A restart every this often while the build runs. */
const RESTART_EVERY_MS = 3000;
/** The whole soak (make through sshcc) must end within this. */
const SOAK_LIMIT_MS = 240_000;

let project: GeneratedProject;
let referenceMs = 0;

const fixture = useBuildFixture({
  name: 'sshcc-reliability-soak-',
  prepare(work) {
    project = generateCProject(work, 'soak', JOBS, 'trivial');
    referenceMs = buildReference(project.dir);
  },
  prepareMs: 180_000,
  projects: () => [project.dir],
});

test(`soak: ${JOBS} jobs through three volunteers, one restarted every ${RESTART_EVERY_MS / 1000} s: none fails, every object identical to a local build`, async () => {
  const s = await fixture.start({ volunteers: 3 });
  const env = faultEnvironment(s);
  const [victim, victimHost] = [s.volunteers[2], s.hostOf(2)];
  if (victim === undefined) throw new Error('three volunteers expected');

  const started = Date.now();
  const build = s.start(['make', '-j16', `O=${OBJ_DIR}`, `CC=${SSHCC} gcc`], { cwd: project.dir, env });
  let ended = false;
  void build.done.then(() => (ended = true));
  let restarts = 0;
  const restartMs: number[] = [];
  /** SSHCC_LOG lines at each restart, to see the victim take jobs after coming back. */
  const marks: number[] = [];
  // The victim's first job must be in before the restarts start: its first connect, server start and
  // compile on a loaded 2-core machine took about as long as one restart period, so whether it took
  // part at all was a race with the first restart (it lost it, 0 jobs, in a CI run).
  await waitFor(() => ended || s.compileJobs().some((job) => job.host === victimHost), SOAK_LIMIT_MS);
  while (!ended) {
    await waitFor(() => ended, RESTART_EVERY_MS);
    if (ended) break;
    const restartAt = Date.now();
    await victim.restart();
    restartMs.push(Date.now() - restartAt);
    restarts++;
    marks.push(s.compileJobs().length);
  }
  const result = await build.done;
  const soakMs = Date.now() - started;

  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(soakMs).toBeLessThan(SOAK_LIMIT_MS);
  const jobs = s.compileJobs();
  expect(jobs).toHaveLength(JOBS);
  expect(new Set(jobs.map((job) => job.output))).toEqual(new Set(project.objects(OBJ_DIR)));
  const comparison = compareBuilds(join(project.dir, REF_DIR), join(project.dir, OBJ_DIR));
  expect(comparison.differences).toEqual([]);
  expect(comparison.identical).toHaveLength(JOBS);

  const stats = agentStats(env);
  const perHost = Object.fromEntries(s.volunteers.map((_, i) => [s.hostOf(i), jobs.filter((job) => job.host === s.hostOf(i)).length]));
  const local = jobs.filter((job) => job.host === null);
  const victimAgain = marks.filter((mark, i) => jobs.slice(mark, marks[i + 1]).some((job) => job.host === victimHost)).length;
  process.stdout.write(
    `soak figures: ${JOBS} jobs in ${(soakMs / 1000).toFixed(1)} s (local make -j2: ${(referenceMs / 1000).toFixed(1)} s); ` +
      `${restarts} restarts (each ${Math.min(...restartMs)}-${Math.max(...restartMs)} ms); per host ${JSON.stringify(perHost)}; ` +
      `local ${local.length}${local.length > 0 ? ` (${local[0]?.why})` : ''}; failed over ${stats.jobs.failedOver}; ` +
      `victim failures ${JSON.stringify(stats.hosts[victimHost]?.failures)}, backoffs ${stats.hosts[victimHost]?.backoffs}; ` +
      `victim took jobs after ${victimAgain} of ${restarts} restarts\n`,
  );
  expect(restarts).toBeGreaterThanOrEqual(3);
  expect(stats.jobs.errors).toBe(0);
  // Every restart cost the jobs then on the victim one retry elsewhere, never a local compile.
  expect(local).toEqual([]);
  expect(stats.jobs.failedOver).toBeGreaterThan(0);
  // The restarts hit it (jobs cut off, probes refused), and it took part. How often it took jobs again
  // between restarts is reported, not asserted: with hosts idle, the faster-measured ones win (core's
  // pickHost), and reuse after a fault is the fault tests' to prove.
  expect(failuresOn(stats, victimHost)).toBeGreaterThanOrEqual(1);
  expect(perHost[victimHost]).toBeGreaterThanOrEqual(1);
  expect(await waitFor(() => compilersUnderAny(s.volunteerTmp).length === 0, 10_000)).toBe(true);
  // Only a killed server's job dirs may stay (a dying machine takes its cleanup with it).
  expect(leftoversIn(s.volunteerTmp.slice(0, 2))).toEqual([]);
}, SOAK_LIMIT_MS + 60_000);
