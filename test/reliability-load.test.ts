// Reliability under load: `make -j64` of 500 C files through three real sshd volunteers with
// `--localslots=2`. make starts 64 clients at once, but this machine must not run 64 compilers: the
// agent's one queue lets at most `--localslots_cpp` preprocessors (default: the cores) and
// `--localslots` compiles run here. No job fails, every object is identical to a local build, and the
// agent's memory stays bounded.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { compareBuilds } from './support/build-compare';
import { useBuildFixture } from './support/build-fixture';
import { SSHCC, type GeneratedProject } from './support/build-project';
import { buildReference, OBJ_DIR, REF_DIR } from './support/build-reference';
import { generateCProject } from './support/fault-c-project';
import { LoadSampler } from './support/fault-load-sampler';
import { agentPid, agentStats } from './support/fault-session';

const FILES = 500;
const LOCAL_SLOTS = 2;
/** What the agent uses when the host list sets no --localslots_cpp. */
const CPP_SLOTS = cpus().length || 1;
/** The agent is a Node process holding at most 64 jobs' preprocessed sources (a few KiB each here). */
const AGENT_RSS_LIMIT_KIB = 256 * 1024;

let project: GeneratedProject;
let referenceMs = 0;

const fixture = useBuildFixture({
  name: 'sshcc-reliability-load-',
  prepare(work) {
    project = generateCProject(work, 'load', FILES, 'small');
    referenceMs = buildReference(project.dir);
  },
  prepareMs: 180_000,
  projects: () => [project.dir],
});

test(`make -j64 of ${FILES} files, 3 volunteers, --localslots=${LOCAL_SLOTS}: this machine runs at most cpp + local slots of compilers, no job fails, agent memory bounded`, async () => {
  const s = await fixture.start({ volunteers: 3 });
  const env = { ...s.env, SSHCC_HOSTS: `${s.env.SSHCC_HOSTS as string} --localslots=${LOCAL_SLOTS}` };
  const sampler = new LoadSampler(project.dir, () => agentPid(env));
  sampler.start(50);
  const started = Date.now();
  const result = await s.run(['make', '-j64', `O=${OBJ_DIR}`, `CC=${SSHCC} gcc`], { cwd: project.dir, env });
  const buildMs = Date.now() - started;
  const figures = sampler.stop();

  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const jobs = s.compileJobs();
  expect(jobs).toHaveLength(FILES);
  const comparison = compareBuilds(join(project.dir, REF_DIR), join(project.dir, OBJ_DIR));
  expect(comparison.differences).toEqual([]);
  expect(comparison.identical).toHaveLength(FILES);
  const stats = agentStats(env);
  const perHost = Object.fromEntries(s.volunteers.map((_, i) => [s.hostOf(i), jobs.filter((job) => job.host === s.hostOf(i)).length]));
  process.stdout.write(
    `load figures: ${FILES} files, make -j64 through sshcc ${(buildMs / 1000).toFixed(1)} s (local make -j2: ${(referenceMs / 1000).toFixed(1)} s); ` +
      `per host ${JSON.stringify(perHost)}; local ${jobs.filter((job) => job.host === null).length}; ` +
      `compiler passes here: max ${figures.maxWorkers} (limit ${CPP_SLOTS} cpp + ${LOCAL_SLOTS} local), mean ${figures.meanWorkers.toFixed(2)}, ` +
      `drivers max ${figures.maxDrivers}; agent VmRSS ${Math.round(figures.agentRssFirstKiB / 1024)} -> max ${Math.round(figures.agentRssMaxKiB / 1024)} MiB; ` +
      `loadavg(1) max ${figures.maxLoad1}; ${figures.samples} samples\n`,
  );
  expect(stats.jobs.errors).toBe(0);
  expect(jobs.filter((job) => job.host === null)).toEqual([]);
  expect(figures.samples).toBeGreaterThan(20);
  // The queue, not make's -j, decides how much runs here.
  expect(figures.maxWorkers).toBeGreaterThan(0);
  expect(figures.maxWorkers).toBeLessThanOrEqual(CPP_SLOTS + LOCAL_SLOTS);
  expect(figures.agentRssMaxKiB).toBeGreaterThan(0);
  expect(figures.agentRssMaxKiB).toBeLessThan(AGENT_RSS_LIMIT_KIB);
}, 240_000);
