// End-to-end faults: builds through real sshd volunteers that die, are all down, present a wrong host
// key, or a build interrupted with Ctrl-C. A build through sshcc must still succeed (or stop cleanly) and
// produce what a local build produces.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBuildFixture } from './support/build-fixture';
import { compilersUnder, waitFor } from './support/build-processes';
import { copyExamples, generateProject, SSHCC, type GeneratedProject } from './support/build-project';
import { buildReference, expectMatchesReference, OBJ_DIR, REF_DIR } from './support/build-reference';
import type { BuildSession } from './support/build-session';

/** Enough ~0.5 s files that a fault lands while most are still to do. */
const GENERATED_FILES = 12;
const CLIENT_MAKE_ARGS = [`CC=${SSHCC} gcc`, `CXX=${SSHCC} g++`];

let examples: string;
let generated: GeneratedProject;

const fixture = useBuildFixture({
  name: 'sshcc-e2e-faults-',
  prepare(work) {
    examples = copyExamples(work);
    buildReference(examples, [`${OBJ_DIR}/wordcount`]);
    generated = generateProject(work, GENERATED_FILES);
    buildReference(generated.dir);
  },
  prepareMs: 90_000,
  projects: () => [examples, generated.dir],
});

/** The C program of examples/: enough to show where compiles went, without the slow C++ files. */
const WORDCOUNT_OBJECTS = ['strbuf', 'hashmap', 'tokenize', 'wc', 'main'].map((name) => `${OBJ_DIR}/${name}.o`);

function make(s: BuildSession, project: string, options: { env?: NodeJS.ProcessEnv; targets?: readonly string[] } = {}) {
  const argv = ['make', '-j8', `O=${OBJ_DIR}`, ...CLIENT_MAKE_ARGS, ...(options.targets ?? [])];
  return s.start(argv, { cwd: project, ...(options.env ? { env: options.env } : {}) });
}

function makeWordcount(s: BuildSession, env?: NodeJS.ProcessEnv) {
  return make(s, examples, { targets: [`${OBJ_DIR}/wordcount`], ...(env ? { env } : {}) });
}

test('a volunteer killed mid-build: the build succeeds and every object matches a local build', async () => {
  const s = await fixture.start({ volunteers: 2 });
  const build = make(s, generated.dir);
  // Killed with jobs in flight on it, after some finished.
  const started = await waitFor(
    () => s.compileJobs().filter((job) => job.host !== null).length >= 3 && compilersUnder(s.volunteerTmp[0] as string).length > 0,
    60_000,
    10,
  );
  expect(started).toBe(true);
  const before = s.compileJobs().length;
  s.volunteers[0]?.kill();
  const result = await build.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const jobs = s.compileJobs();
  expect(jobs.map((job) => job.output).sort()).toEqual(generated.objects(OBJ_DIR).sort());
  // The kill landed mid-build: most compiles were still to do, and the survivor took them.
  expect(jobs.length - before).toBeGreaterThanOrEqual(GENERATED_FILES / 2);
  expect(jobs.slice(before).filter((job) => job.host === s.hostOf(1)).length).toBeGreaterThan(0);
  expectMatchesReference(generated.dir, generated.objects(OBJ_DIR));
  expect(execFileSync(join(generated.dir, OBJ_DIR, 'program'), { encoding: 'utf8' })).toBe(
    execFileSync(join(generated.dir, REF_DIR, 'program'), { encoding: 'utf8' }),
  );
}, 90_000);

test('every volunteer down: the build succeeds, compiled locally, and matches a local build', async () => {
  const session = await fixture.start({ volunteers: 2 });
  for (const volunteer of session.volunteers) volunteer.kill();
  const result = await makeWordcount(session).done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const jobs = session.compileJobs();
  expect(jobs).toHaveLength(WORDCOUNT_OBJECTS.length);
  for (const job of jobs) {
    expect(job.host).toBeNull();
    expect(job.why).toMatch(/every volunteer failed|no volunteer is usable/);
  }
  expectMatchesReference(examples, WORDCOUNT_OBJECTS);
}, 90_000);

test('a wrong host key: that volunteer is refused with the one-line message; the other one builds everything', async () => {
  const session = await fixture.start({ volunteers: 2 });
  const [liar, honest] = session.volunteers;
  if (!liar || !honest) throw new Error('two volunteers expected');
  const keyFile = join(session.dir, 'other_host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  const otherKey = readFileSync(`${keyFile}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const knownHosts = join(session.dir, 'known_hosts');
  writeFileSync(
    knownHosts,
    [
      `[127.0.0.1]:${liar.port} ${otherKey}`,
      `${liar.alias} ${otherKey}`,
      `[127.0.0.1]:${honest.port} ${honest.hostPublicKey}`,
      `${honest.alias} ${honest.hostPublicKey}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const result = await makeWordcount(session, { ...session.env, SSHCC_KNOWN_HOSTS: knownHosts }).done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const jobs = session.compileJobs();
  expect(jobs).toHaveLength(WORDCOUNT_OBJECTS.length);
  expect(new Set(jobs.map((job) => job.host))).toEqual(new Set([session.hostOf(1)]));
  expect(session.agentLog()).toMatch(/host key for \S+ changed: refusing/);
  expectMatchesReference(examples, WORDCOUNT_OBJECTS);
}, 90_000);

test('SIGINT mid-build: no temp files, no compiler left on volunteers or here; the agent serves the next build', async () => {
  const s = await fixture.start({ volunteers: 2 });
  const build = make(s, generated.dir);
  // Interrupted with compiles running on both volunteers.
  const started = await waitFor(
    () => s.compileJobs().length >= 2 && s.volunteerTmp.every((tmp) => compilersUnder(tmp).length > 0),
    60_000,
    10,
  );
  expect(started).toBe(true);
  // A terminal's Ctrl-C: SIGINT to the whole foreground process group (make and every sshcc client).
  process.kill(-(build.child.pid as number), 'SIGINT');
  const interrupted = await build.done;
  expect(interrupted.code).not.toBe(0);
  expect(s.compileJobs().length).toBeLessThan(GENERATED_FILES);

  const clean = () =>
    s.volunteerLeftovers().length === 0 &&
    compilersUnder(generated.dir).length === 0 &&
    s.volunteerTmp.every((tmp) => compilersUnder(tmp).length === 0);
  expect(await waitFor(clean, 5000)).toBe(true);
  expect(readdirSync(join(generated.dir, OBJ_DIR)).filter((name) => name.includes('.sshcc-'))).toEqual([]);
  expect(s.agentStatus().code).toBe(0);

  const done = s.compileJobs().length;
  const again = await make(s, generated.dir).done;
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  const rebuilt = s.compileJobs().slice(done);
  expect(rebuilt.length).toBeGreaterThan(0);
  // Nothing compiled here: each job ran on a volunteer or came from the cache (a job the interrupt cut
  // off after its result was stored is a hit).
  expect(rebuilt.filter((job) => job.host === null && !job.cached)).toEqual([]);
  expectMatchesReference(generated.dir, generated.objects(OBJ_DIR));
}, 90_000);
