// Reliability: the agent or the build's own clients SIGKILLed mid-build, and a volunteer whose $TMPDIR
// is full. Nothing may be lost or corrupted: a build still finishes with objects identical to a local
// build, and a killed client leaves no compiler running and no temp file or job dir anywhere.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeClientConfig, startVolunteer, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { useBuildFixture } from './support/build-fixture';
import { compilersUnder, waitFor } from './support/build-processes';
import { generateProject, SSHCC, THIN_CLIENT, type GeneratedProject } from './support/build-project';
import { slowCSource } from './support/slow-source';
import { buildReference, expectMatchesReference, OBJ_DIR } from './support/build-reference';
import type { BuildSession, Running } from './support/build-session';
import { compilersUnderAny, leftoversIn, processesIn, sourcesCompilingUnder, tempFilesIn, volunteerMidJob } from './support/fault-build';
import { agentPid, agentStats, faultEnvironment, shortenSshSettings } from './support/fault-session';
import { smallDisk, type SmallDisk } from './support/fault-small-disk';

const GENERATED_FILES = 16;
/** Generous: this machine may be running other suites at the same time. */
const WAIT_MS = 90_000;
const MAKE_ARGS = ['-j8', `O=${OBJ_DIR}`, `CC=${SSHCC} gcc`, `CXX=${SSHCC} g++`];

let project: GeneratedProject;

// Extra volunteers and mounts are deferred cleanups: undone before the session stops, as some live inside its dir.
const fixture = useBuildFixture({
  name: 'sshcc-reliability-crashes-',
  prepare(work) {
    project = generateProject(work, GENERATED_FILES);
    buildReference(project.dir);
  },
  prepareMs: 120_000,
  projects: () => [project.dir],
});

function make(s: BuildSession, env: NodeJS.ProcessEnv): Running {
  return s.start(['make', ...MAKE_ARGS], { cwd: project.dir, env });
}

test('the agent SIGKILLed mid-build: the clients it held compile anyway, the next ones start a new agent, the build matches a local one', async () => {
  const s = await fixture.start({ volunteers: 2 });
  const env = faultEnvironment(s);
  const build = make(s, env);
  expect(await volunteerMidJob(s, 2, WAIT_MS)).not.toBeNull();
  const killed = agentPid(env);
  expect(killed).not.toBeNull();
  const loggedBefore = s.compileJobs().length;
  process.kill(killed as number, 'SIGKILL');

  const result = await build.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expectMatchesReference(project.dir, project.objects(OBJ_DIR));
  // A new agent took over and sent the rest of the build to the volunteers.
  const successor = agentPid(env);
  expect(successor).not.toBeNull();
  expect(successor).not.toBe(killed);
  const after = s.compileJobs().slice(loggedBefore);
  expect(after.filter((job) => job.host !== null).length).toBeGreaterThan(0);
  // The dead agent's connections closed with it: its remote compiles were killed and their dirs removed.
  expect(await waitFor(() => compilersUnderAny(s.volunteerTmp).length === 0 && leftoversIn(s.volunteerTmp).length === 0, 10_000)).toBe(true);
}, 180_000);

test.each([
  ['the C shim', [SSHCC]],
  ['the TS thin client', [process.execPath, THIN_CLIENT]],
])('%s, its compile running on a volunteer when the agent is SIGKILLed: compiles here instead, exit 0, the same object', async (_kind, client) => {
  const s = await fixture.start({ volunteers: 1 });
  const env = faultEnvironment(s);
  const dir = join(s.dir, 'slow');
  mkdirSync(dir);
  // A second or so of cc1: time to see it running remotely and kill the agent under it.
  writeFileSync(join(dir, 'slow.c'), slowCSource(800));
  const compile = s.start([...client, 'gcc', '-O2', '-c', 'slow.c', '-o', 'slow.o'], { cwd: dir, env });
  expect(await waitFor(() => sourcesCompilingUnder(s.volunteerTmp[0] as string).length > 0, WAIT_MS, 10)).toBe(true);
  process.kill(agentPid(env) as number, 'SIGKILL');
  const result = await compile.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  execFileSync('gcc', ['-O2', '-c', 'slow.c', '-o', 'slow-local.o'], { cwd: dir });
  expect(readFileSync(join(dir, 'slow.o')).equals(readFileSync(join(dir, 'slow-local.o')))).toBe(true);
  expect(tempFilesIn(dir)).toEqual([]);
  expect(await waitFor(() => compilersUnderAny(s.volunteerTmp).length === 0 && leftoversIn(s.volunteerTmp).length === 0, 10_000)).toBe(true);
}, 180_000);

test('the clients SIGKILLed mid-job (make and every sshcc in its group): no compiler runs on, and no job dir stays in, any volunteer; no temp file beside a target', async () => {
  const s = await fixture.start({ volunteers: 2 });
  const env = faultEnvironment(s);
  const build = make(s, env);
  // Killed while compiles run on the volunteers (on both, unless one is slow to start on a loaded machine).
  expect(await volunteerMidJob(s, 1, WAIT_MS)).not.toBeNull();
  await waitFor(() => s.volunteerTmp.every((tmp) => sourcesCompilingUnder(tmp).length > 0), 5000, 10);
  const killedAt = Date.now();
  process.kill(-(build.child.pid as number), 'SIGKILL');
  await build.done;

  const clean = (): boolean =>
    compilersUnderAny(s.volunteerTmp).length === 0 &&
    leftoversIn(s.volunteerTmp).length === 0 &&
    compilersUnder(project.dir).length === 0 &&
    processesIn(project.dir).length === 0;
  expect(await waitFor(clean, 10_000)).toBe(true);
  const cleanMs = Date.now() - killedAt;
  expect(cleanMs).toBeLessThan(5000);
  expect(tempFilesIn(join(project.dir, OBJ_DIR))).toEqual([]);
  expect(agentStats(env).jobs.cancelled).toBeGreaterThanOrEqual(2);

  // The agent lives on and builds the rest.
  const again = await make(s, env).done;
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  expectMatchesReference(project.dir, project.objects(OBJ_DIR));
}, 180_000);

describe("a volunteer whose $TMPDIR is full (a tmpfs of 64 KiB, filled)", () => {
  let disk: SmallDisk;
  let full: Volunteer;
  let config: ClientConfig;
  let env: NodeJS.ProcessEnv;
  let bigC: string;

  /** One compile through sshcc with the hosts given, in `dir`. */
  function compile(hosts: string, argv: readonly string[], dir: string) {
    return spawnSync(SSHCC, [...argv], { cwd: dir, env: { ...env, SSHCC_HOSTS: hosts }, encoding: 'utf8' });
  }

  beforeEach(async () => {
    const session = await fixture.start({ volunteers: 1 });
    disk = smallDisk(session.dir, 64);
    fixture.defer(() => disk.remove());
    full = await startVolunteer({ maxSessions: 10, env: { TMPDIR: disk.dir }, ...(disk.serverCommand ? { serverCommand: disk.serverCommand } : {}) });
    fixture.defer(() => full.stop());
    config = await makeClientConfig([full, ...session.volunteers]);
    fixture.defer(() => config.remove());
    // This client config (both volunteers) replaces the session's.
    shortenSshSettings(config.sshConfigFile);
    env = faultEnvironment(session, { ...config.env });
    bigC = join(session.dir, 'big');
    mkdirSync(bigC);
    // A few bytes of source, 256 KiB of initialised data: the object cannot fit.
    writeFileSync(join(bigC, 'big.c'), 'char big[262144] = {1};\nint main(void) { return big[7]; }\n');
  }, 60_000);

  test('an object that does not fit: a clean remote-failed (no space), and the compile is done elsewhere, identical', () => {
    const only = compile(full.alias, ['gcc', '-O2', '-c', 'big.c', '-o', 'big.o'], bigC);
    expect(only.stderr).toBe('');
    expect(only.status).toBe(0);
    // Only the full volunteer was listed: the compile fell back to this machine, saying why.
    const line = fixture.session.jobs().find((job) => job.output === 'big.o');
    expect(line?.host).toBeNull();
    expect(line?.why).toMatch(new RegExp(`^every volunteer failed \\(${full.alias}: remote-failed: no space left in this server's TMPDIR`));
    execFileSync('gcc', ['-O2', '-c', 'big.c', '-o', 'big-local.o'], { cwd: bigC });
    expect(readFileSync(join(bigC, 'big.o')).equals(readFileSync(join(bigC, 'big-local.o')))).toBe(true);
    expect(disk.jobDirs()).toEqual([]);
  }, 60_000);

  test('make -j8 with the full volunteer listed first: every job it got fails cleanly and reruns on the other; objects identical', async () => {
    const s0 = fixture.session;
    const [fullHost, healthyHost] = [`${full.alias}/4`, `${s0.volunteers[0]?.alias}/4`];
    const hosts = `${fullHost} ${healthyHost}`;
    const build = s0.start(['make', ...MAKE_ARGS], { cwd: project.dir, env: { ...env, SSHCC_HOSTS: hosts } });
    const result = await build.done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectMatchesReference(project.dir, project.objects(OBJ_DIR));
    const stats = agentStats(env);
    expect(stats.hosts[fullHost]?.failures['remote-failed']).toBeGreaterThanOrEqual(1);
    expect(stats.hosts[fullHost]?.jobs ?? 0).toBe(0);
    // The full volunteer is backed off rather than tried by every job.
    expect(stats.hosts[fullHost]?.backoffs).toBeGreaterThanOrEqual(1);
    expect(Object.keys(stats.hosts[fullHost]?.failures ?? {})).toEqual(['remote-failed']);
    expect(s0.compileJobs().filter((job) => job.host !== healthyHost)).toEqual([]);
    expect(disk.jobDirs()).toEqual([]);
    expect(existsSync(join(project.dir, OBJ_DIR))).toBe(true);
  }, 180_000);
});
