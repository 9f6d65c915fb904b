// Load-aware placement through real sshd volunteers running the testkit's stand-in compiler: one
// volunteer slow, one fast, both timed by the agent. The tail of a build keeps off the slow one, and the
// one job the slow volunteer still gets is started again on the fast one once nothing waits: the fast
// answer is taken, the slow run is cancelled there, and every object is right and written once.

import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installStandIn, makeClientConfig, startVolunteer, stopAll, type ClientConfig, type StandIn, type Volunteer } from '@sshcc/testkit';
import { runCaptured } from './support/captured-run';
import { TestAgent } from './support/security-agent';

const JOBS = 11;

let root: string;
let slow: Volunteer;
let fast: Volunteer;
let slowCompiler: StandIn;
let here: StandIn;
let config: ClientConfig;
let agent: TestAgent;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-placement-')));
  const [slowIn, fastIn, hereIn] = await Promise.all([installStandIn({ ms: 3000 }), installStandIn({ ms: 300 }), installStandIn()]);
  [slowCompiler, here] = [slowIn, hereIn];
  [slow, fast] = await Promise.all([
    startVolunteer({ env: { PATH: slowIn.pathWith(process.env.PATH) } }),
    startVolunteer({ env: { PATH: fastIn.pathWith(process.env.PATH) } }),
  ]);
  config = await makeClientConfig([slow, fast]);
  // The slow host first in the list: list order alone would pick it.
  agent = TestAgent.create(config.env, `${slowId()} ${fastId()}`);
  agent.env.PATH = here.pathWith(process.env.PATH);
  agent.env.SSHCC_CACHE = '0';
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await config?.remove();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/** The hosts as the agent names them: their entries in the host list. */
const slowId = (): string => `${slow.alias}/1`;
const fastId = (): string => `${fast.alias}/1`;

function writeSources(dir: string, names: readonly string[]): void {
  for (const name of names) writeFileSync(join(dir, `${name}.i`), `int ${name}(int x) { return x * 7 + ${name.length}; }\n`);
}

async function compileAll(dir: string, names: readonly string[]): Promise<void> {
  const runs = await Promise.all(names.map((name) => agent.compile([here.name, '-c', `${name}.i`, '-o', `${name}.o`], dir)));
  expect(runs).toEqual(names.map(() => ({ code: 0, stdout: '', stderr: '' })));
}

/** The stand-in compilers running under a volunteer's sshd now. */
function standInsUnder(volunteer: Volunteer): number[] {
  return volunteer.processes().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === here.name;
    } catch {
      return false;
    }
  });
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!ok()) throw new Error(`never: ${what}`);
}

it('times both volunteers, keeps the tail of a build off the slow one, and takes a straggler\'s faster second run', async () => {
  const warm = join(root, 'warm');
  const build = join(root, 'build');
  for (const dir of [warm, build]) mkdirSync(dir);
  // Both untimed: one job each, and the agent knows ~3 s against ~0.3 s.
  writeSources(warm, ['w0', 'w1']);
  await compileAll(warm, ['w0', 'w1']);
  expect(new Set(agent.jobs().map((j) => j.host))).toEqual(new Set([slowId(), fastId()]));
  // From now on the slow volunteer sleeps a minute: only a cancel ends a run there before the test does.
  slowCompiler.setMs(60_000);

  const names = Array.from({ length: JOBS }, (_, i) => `j${i}`);
  writeSources(build, names);
  await compileAll(build, names);
  const jobs = agent.jobs().slice(2);
  // Every job was answered by the fast volunteer, once: the queue held the tail back for it, and the
  // one job the slow volunteer got while the queue was long was answered by its second run.
  expect(jobs.map((j) => j.output).sort()).toEqual(names.map((n) => `${n}.o`).sort());
  expect(jobs.map((j) => j.host)).toEqual(names.map(() => fastId()));
  const log = agent.agentLog();
  const again = [...log.matchAll(/ (\S+\/j\d+\.o): started again on (\S+), faster than (\S+); the first answer is taken/g)];
  expect(again.map((m) => [m[2], m[3]])).toEqual([[fastId(), slowId()]]);
  expect(log).toContain(`${again[0]![1]}: answered by ${fastId()}; the run on ${slowId()} was cancelled`);
  // The cancel reached the slow volunteer: its minute-long compile is gone, long before the minute.
  await until('the slow run is killed', () => standInsUnder(slow).length === 0);

  // Right objects, each written once: the same bytes as the stand-in gives here, and no later write.
  const inodes = names.map((name) => statSync(join(build, `${name}.o`)).ino);
  for (const name of names) {
    const reference = await runCaptured([here.path, '-c', `${name}.i`, '-o', `${name}.ref`], { cwd: build, env: process.env });
    expect(reference.code).toBe(0);
    expect(readFileSync(join(build, `${name}.o`))).toEqual(readFileSync(join(build, `${name}.ref`)));
  }
  expect(names.map((name) => statSync(join(build, `${name}.o`)).ino)).toEqual(inodes);
}, 120_000);
