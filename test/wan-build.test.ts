// End-to-end over an emulated WAN (testkit's startWanVolunteer: sshd in a network namespace behind a
// shaped veth): a make -j build through one far volunteer is correct and really compiles there, and a
// loss burst mid-transfer and a stall longer than the keepalive interval are survived.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wanUnavailable } from '@sshcc/testkit';
import { useBuildFixture } from './support/build-fixture';
import { copyExamples, generateProject, SSHCC, type GeneratedProject } from './support/build-project';
import { buildReference, expectMatchesReference, OBJ_DIR, REF_DIR } from './support/build-reference';
import type { BuildSession } from './support/build-session';
import { volunteerMidJob } from './support/fault-build';
import { agentStats, failuresOn, faultEnvironment } from './support/fault-session';

const reason = wanUnavailable();
const CLIENT = [`CC=${SSHCC} gcc`, `CXX=${SSHCC} g++`];
const EXAMPLE_OBJECTS = ['strbuf', 'hashmap', 'tokenize', 'wc', 'main', 'ngrams', 'split', 'format', 'ngrams_main'].map((name) => `${OBJ_DIR}/${name}.o`);
/** Enough ~0.5 s files that a fault lands with most still to do. */
const GENERATED_FILES = 12;

if (reason !== undefined) {
  test('WAN builds cannot run here, and the reason is printed', () => {
    console.log(`WAN build tests not run: ${reason}`);
    expect(reason).toMatch(/not root|iproute2|ip netns add/);
  });
} else {
  let examples: string;
  let generated: GeneratedProject;

  const fixture = useBuildFixture({
    name: 'sshcc-wan-build-',
    prepare(work) {
      examples = copyExamples(work);
      buildReference(examples);
      generated = generateProject(work, GENERATED_FILES);
      buildReference(generated.dir);
    },
    prepareMs: 120_000,
    projects: () => [examples, generated.dir],
    cleanupMs: 60_000,
  });

  /** Waits until `done` compiles are logged and one is compiling on the volunteer: the link is busy. */
  async function midBuild(s: BuildSession, done: number): Promise<number> {
    expect(await volunteerMidJob(s, done, 90_000)).toBe(0);
    return s.compileJobs().length;
  }

  function expectGeneratedAsLocal(): void {
    expectMatchesReference(generated.dir, generated.objects(OBJ_DIR));
    expect(execFileSync(join(generated.dir, OBJ_DIR, 'program'), { encoding: 'utf8' })).toBe(execFileSync(join(generated.dir, REF_DIR, 'program'), { encoding: 'utf8' }));
  }

  test('make -j8 of examples/ through one volunteer 25 ms away at 20 Mbit/s with 0.5% loss: every compile remote, objects as local', async () => {
    const session = await fixture.start({ volunteers: 1, wan: { delayMs: 25, rateMbit: 20, lossPercent: 0.5 } });
    console.log(`WAN link: ${session.wan(0).impairments.summary}`);
    const make = await session.start(['make', '-j8', `O=${OBJ_DIR}`, ...CLIENT], { cwd: examples }).done;
    expect(make.stderr).toBe('');
    expect(make.code).toBe(0);
    const jobs = session.compileJobs();
    expect(jobs.map((job) => job.output).sort()).toEqual([...EXAMPLE_OBJECTS].sort());
    expect(jobs.filter((job) => job.host !== session.hostOf(0))).toEqual([]);
    expectMatchesReference(examples, EXAMPLE_OBJECTS);
    const input = 'the cat saw the dog\nthe dog saw the cat\n';
    for (const [program, arg] of [['wordcount', '3'], ['ngrams', '2']] as const) {
      expect(execFileSync(join(examples, OBJ_DIR, program), [arg], { input, encoding: 'utf8' })).toBe(
        execFileSync(join(examples, REF_DIR, program), [arg], { input, encoding: 'utf8' }),
      );
    }
  }, 180_000);

  test('a 2 s loss burst (every packet dropped both ways) mid-transfer: the build succeeds, objects as local, the volunteer compiles after it', async () => {
    // A slow link keeps uploads in flight most of the build, so the burst cuts through transfers.
    const s = await fixture.start({ volunteers: 1, wan: { delayMs: 25, rateMbit: 4, lossPercent: 0.5 } });
    const build = s.start(['make', '-j8', `O=${OBJ_DIR}`, ...CLIENT], { cwd: generated.dir });
    const before = await midBuild(s, 2);
    await s.wan(0).lossBurst(2000);
    const afterBurst = s.compileJobs().length;
    const result = await build.done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const jobs = s.compileJobs();
    expect(jobs.map((job) => job.output).sort()).toEqual(generated.objects(OBJ_DIR).sort());
    expect(before).toBeLessThan(GENERATED_FILES / 2);
    expect(jobs.slice(afterBurst).filter((job) => job.host === s.hostOf(0)).length).toBeGreaterThan(0);
    expectGeneratedAsLocal();
  }, 240_000);

  test('a source still being preprocessed streams through a 4 Mbit/s link: compiled on the far volunteer, object as local, counted as streamed', async () => {
    const s = await fixture.start({ volunteers: 1, wan: { delayMs: 25, rateMbit: 4, lossPercent: 0.5 } });
    const dir = join(s.dir, 'big');
    mkdirSync(dir);
    // ~4 MiB of preprocessed text: cpp is still writing it when the first 256 KiB reach the agent.
    const lines = ['int big_entry(int x) { return x * 3; }'];
    for (let i = 0; i < 60_000; i++) lines.push(`extern int big_declaration_number_${i}(int first, const char *second, long third);`);
    writeFileSync(join(dir, 'big.c'), `${lines.join('\n')}\n`);
    const run = await s.start([SSHCC, 'gcc', '-O2', '-c', 'big.c', '-o', 'big.o'], { cwd: dir }).done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(s.compileJobs()).toEqual([expect.objectContaining({ output: 'big.o', host: s.hostOf(0) })]);
    execFileSync('gcc', ['-O2', '-c', 'big.c', '-o', 'local.o'], { cwd: dir });
    expect(readFileSync(join(dir, 'big.o')).equals(readFileSync(join(dir, 'local.o')))).toBe(true);
    expect(agentStats(s.env).jobs.streamed).toBe(1);
  }, 180_000);

  test('a 5 s stall with ServerAliveInterval 1 (3 missed): the agent notices, the build succeeds, objects as local', async () => {
    const s = await fixture.start({ volunteers: 1, wan: { delayMs: 25, rateMbit: 20 }, startAgent: false });
    const env = faultEnvironment(s);
    await s.startAgent(env);
    const build = s.start(['make', '-j8', `O=${OBJ_DIR}`, ...CLIENT], { cwd: generated.dir, env });
    const before = await midBuild(s, 2);
    await s.wan(0).stall(5000);
    const result = await build.done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(before).toBeLessThan(GENERATED_FILES / 2);
    expect(s.compileJobs().map((job) => job.output).sort()).toEqual(generated.objects(OBJ_DIR).sort());
    expectGeneratedAsLocal();
    // The stall outlasted ServerAliveInterval × ServerAliveCountMax: the agent must have given up on the link.
    expect(failuresOn(agentStats(env), s.hostOf(0))).toBeGreaterThanOrEqual(1);
  }, 240_000);
}
