// A hostile volunteer (support/security-hostile-server.ts): it takes each job and answers "compiled" with
// outputs crafted to get out of the client's target dirs (names with / or .., absolute names, a pax rename,
// links, a directory), to add files nobody asked for, or to exhaust the client (a 300 MiB header, endless
// zeros, a zstd bomb), or with no object at all, or goes silent. The client must refuse every one, write nothing of it,
// and compile the file elsewhere: on an honest volunteer when there is one, else here. The objects are
// always what gcc makes.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientHandshake } from '@sshcc/protocol';
import { connectClient, jobLeftovers, makeClientConfig, openSubsystem, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { TestAgent } from './support/security-agent';
import { buildHostileServer } from './support/security-hostile';
import { run, splitCompile, writeFiles } from './support/split-compile';

/** Each lie, and how the client names it when it refuses (after `<host>: `). */
const LIES: ReadonlyArray<readonly [string, string]> = [
  ['slash', 'protocol: output archive holds "obj/slash.o", which the job did not ask for'],
  ['dotdot', 'protocol: output archive holds "../../canary/dotdot.o", which the job did not ask for'],
  ['absolute', 'protocol: output archive holds "CANARY/absolute.o", which the job did not ask for'],
  ['pax', 'protocol: output archive holds "../../canary/pax.o", which the job did not ask for'],
  ['symlink', 'protocol: output archive holds a symlink entry "symlink.o"'],
  ['hardlink', 'protocol: output archive holds a link entry "hardlink.o"'],
  ['directory', 'protocol: output archive holds a directory entry "directory.o"'],
  ['extra', 'protocol: output archive holds "run-me.sh", which the job did not ask for'],
  ['twice', 'protocol: output archive holds "twice.o" twice'],
  ['oversized', 'protocol: output archive exceeds 268435456 bytes at "oversized.o" (314572800 bytes)'],
  ['endless', 'protocol: outputs of job 1 exceed 268500992 bytes'],
  ['bomb', 'protocol: data frame decompresses to 1099511627776 bytes, more than the 262144 allowed'],
  ['miscounted', 'protocol: outputs of job 1 ended at 7 bytes but 2048 came'],
  ['missing', 'the volunteer returned no OBJ/missing.o'],
];
const MODES = LIES.map(([mode]) => mode);

let root: string;
let project: string;
let canary: string;
let hostileLog: string;
let hostile: Volunteer;
let honest: Volunteer;
let honestTmp: string;
let config: ClientConfig;
const agents: TestAgent[] = [];

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-hostile-')));
  project = join(root, 'project');
  canary = join(root, 'canary');
  honestTmp = join(root, 'honest-tmp');
  hostileLog = join(root, 'hostile.log');
  for (const dir of [project, canary, honestTmp]) mkdirSync(dir);
  writeFiles(project, Object.fromEntries(MODES.map((mode, i) => [`src/${mode}.c`, `int ${mode}_value(int x) { return x * ${i + 2} + ${i}; }\n`])));
  [hostile, honest] = await Promise.all([
    startVolunteer({ serverCommand: buildHostileServer(root), env: { HOSTILE_LOG: hostileLog, HOSTILE_CANARY: canary } }),
    startVolunteer({ env: { TMPDIR: honestTmp } }),
  ]);
  config = await makeClientConfig([hostile, honest]);
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await config?.remove();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

const served = (): string[] => readFileSync(hostileLog, 'utf8').split('\n').filter((line) => line !== '');

/** Compiles every mode's file into `objDir` through an agent with `hosts`, one after another. */
async function build(hosts: string, objDir: string): Promise<TestAgent> {
  const agent = TestAgent.create(config.env, hosts);
  agents.push(agent);
  mkdirSync(join(project, objDir));
  for (const mode of MODES) {
    const result = await agent.compile(['gcc', '-O2', '-c', `src/${mode}.c`, '-o', `${objDir}/${mode}.o`], project);
    expect({ mode, ...result }).toEqual({ mode, code: 0, stdout: '', stderr: '' });
  }
  return agent;
}

/** Every object is gcc's own, nothing else is in `objDir` (no lie, no temp file), and the canary is empty. */
function expectOnlyTrueObjects(objDir: string): void {
  expect(readdirSync(join(project, objDir)).sort()).toEqual(MODES.map((mode) => `${mode}.o`).sort());
  const reference = mkdtempSync(join(root, 'reference-'));
  for (const mode of MODES) {
    run(['gcc', '-O2', '-c', join(project, 'src', `${mode}.c`), '-o', join(reference, `${mode}.o`)], project);
    expect({ mode, same: readFileSync(join(project, objDir, `${mode}.o`)).equals(readFileSync(join(reference, `${mode}.o`))) }).toEqual({ mode, same: true });
  }
  expect(readdirSync(canary)).toEqual([]);
  expect(readdirSync(project).sort()).toEqual([...new Set(['src', objDir, ...readdirSync(project)])].sort());
  expect(readdirSync(root).filter((name) => !/^(project|canary|honest-tmp|hostile\.log|hostile-server\.js|reference-\w+)$/.test(name))).toEqual([]);
}

it('refuses every lie from the only volunteer and compiles here, saying why', async () => {
  const host = `${hostile.alias}/1`;
  const agent = await build(host, 'obj');
  expect(served()).toEqual(MODES.map((mode) => `${mode}.o`));
  expect(agent.jobs()).toEqual(
    LIES.map(([mode, why]) => ({
      output: `obj/${mode}.o`,
      host: null,
      why: `every volunteer failed (${host}: ${why.replace('CANARY', canary).replace('OBJ', join(project, 'obj'))})`,
    })),
  );
  expectOnlyTrueObjects('obj');
}, 120_000);

it('refuses every lie and compiles on the honest volunteer instead', async () => {
  const before = served().length;
  const agent = await build(`${hostile.alias}/1 ${honest.alias}/1`, 'obj2');
  // The hostile host, never measured, is tried first each time; each job then goes to the honest one.
  expect(served().slice(before)).toEqual(MODES.map((mode) => `${mode}.o`));
  expect(agent.jobs().map((job) => [job.output, job.host])).toEqual(MODES.map((mode) => [`obj2/${mode}.o`, `${honest.alias}/1`]));
  expectOnlyTrueObjects('obj2');
  expect(jobLeftovers(honestTmp)).toEqual([]);
}, 120_000);

it('gives up on a volunteer that takes a job and goes silent, at the time limit plus the grace', async () => {
  // The agent's limits are 600 s and 60 s; the same watchdog with a 1 s job and 0.5 s of grace.
  const client = await connectClient(hostile.connectOptions());
  try {
    const session = await clientHandshake(await openSubsystem(client, 'sshcc'), { deadlines: { resultGraceMs: 500, stallMs: 500 } });
    writeFiles(project, { 'src/silent.c': 'int silent(void) { return 0; }\n' });
    const split = await splitCompile('gcc -O2 -c src/silent.c -o silent.o', project);
    const started = Date.now();
    await expect(session.runJob({ ...split.spec, timeLimitSeconds: 1 }, split.source)).rejects.toMatchObject({
      code: 'timeout',
      message: 'job 1 got no answer within its 1 s time limit and 0.5 s more (1.5 s)',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(served()).toContain('silent.o');
  } finally {
    client.end();
  }
});
