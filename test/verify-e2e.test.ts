// Sampled verification (SSHCC_VERIFY) through real sshd volunteers: an honest one, whose objects the
// compile here confirms, and a dishonest one, whose gcc passes the fingerprint check (same driver, same
// cc1) but whose assembler, found through the COMPILER_PATH its server keeps, adds a symbol to every
// object. The build must end with this machine's objects, and the liar must get no further jobs.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClientConfig, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import type { StatsData } from '../packages/client/src/views/stats/stats-data';
import { SSHCC } from './support/build-project';
import { runCaptured } from './support/captured-run';
import { agentStats, compareWithLocal as compareWith } from './support/local-rebuild';
import { TestAgent } from './support/security-agent';
import { mustRun, writeFiles } from './support/split-compile';

/** Each source and the flags it is compiled with: plain, with debug info and with macro info (both name the cwd). */
const SOURCES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['plain', ['-O2']],
  ['debug', ['-O2', '-g']],
  ['macros', ['-O1', '-g3']],
  ['other', ['-Os']],
];
const NAMES = SOURCES.map(([name]) => name);

let root: string;
let project: string;
let honest: Volunteer;
let liar: Volunteer;
let config: ClientConfig;
const agents: TestAgent[] = [];

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-verify-')));
  project = join(root, 'project');
  const lies = join(root, 'lies');
  mkdirSync(lies);
  writeFiles(project, Object.fromEntries(SOURCES.map(([name], i) => [`src/${name}.c`, `static int seen;\nint ${name}_value(int x) { seen += x; return x * ${i + 3} + seen; }\n`])));
  // gcc runs `as` from COMPILER_PATH before PATH, and the fingerprint hashes only the driver and cc1.
  const as = mustRun(['sh', '-c', 'command -v as'], root).toString().trim();
  writeFileSync(join(lies, 'as'), `#!/bin/sh\nexec ${as} --defsym VERIFY_LIE=1 "$@"\n`, { mode: 0o755 });
  [honest, liar] = await Promise.all([startVolunteer({ env: { TMPDIR: mkdtempSync(join(root, 'honest-tmp-')) } }), startVolunteer({ env: { COMPILER_PATH: lies } })]);
  config = await makeClientConfig([honest, liar]);
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await config?.remove();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/** An agent for `hosts` whose builds carry SSHCC_VERIFY=`verify` (unset: null), with a TMPDIR of its own to check. */
function agentFor(hosts: string, verify: string | null): TestAgent {
  const agent = TestAgent.create(config.env, hosts);
  agents.push(agent);
  if (verify !== null) agent.env.SSHCC_VERIFY = verify;
  agent.env.TMPDIR = join(agent.dir, 'tmp');
  mkdirSync(agent.env.TMPDIR);
  return agent;
}

/** Compiles every source into `objDir` through `agent`, one after another. */
async function build(agent: TestAgent, objDir: string): Promise<void> {
  mkdirSync(join(project, objDir));
  for (const [name, flags] of SOURCES) {
    const result = await agent.compile(['gcc', ...flags, '-c', `src/${name}.c`, '-o', `${objDir}/${name}.o`], project);
    expect({ name, ...result }).toEqual({ name, code: 0, stdout: '', stderr: '' });
  }
}

function compareWithLocal(objDir: string): ReturnType<typeof compareWith> {
  return compareWith(project, objDir, SOURCES);
}

/** What a build of SOURCES through sshcc must come to when every object is this machine's (or as good). */
const LOCAL_EQUIVALENT = { identical: ['other.o', 'plain.o'], debugEquivalent: ['debug.o', 'macros.o'], differences: [] };

const stats = (agent: TestAgent): Promise<StatsData> => agentStats(agent, project);

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

it('verifies every job from an honest volunteer at SSHCC_VERIFY=1: all the same, nothing left in the temp dir', async () => {
  const agent = agentFor(`${honest.alias}/2`, '1');
  await build(agent, 'obj-honest');
  expect(agent.jobs().map((job) => [job.output, job.host])).toEqual(NAMES.map((name) => [`obj-honest/${name}.o`, `${honest.alias}/2`]));
  expect(compareWithLocal('obj-honest')).toEqual(LOCAL_EQUIVALENT);
  const counted = await stats(agent);
  expect(counted.verify).toEqual({ checked: SOURCES.length, mismatched: 0 });
  expect(counted.hosts[`${honest.alias}/2`]).toMatchObject({ jobs: SOURCES.length, verified: SOURCES.length, failures: {} });
  // Each verification is a compile here, under a local slot.
  expect(counted.time.localCompiles).toBe(SOURCES.length);
  expect(agent.agentLog()).not.toMatch(/differed|not verified/);
  expect(readdirSync(agent.env.TMPDIR as string)).toEqual([]);
}, 120_000);

it('verifies the share SSHCC_VERIFY asks for, counted: 0.5 is every second remote job', async () => {
  const agent = agentFor(`${honest.alias}/2`, '0.5');
  await build(agent, 'obj-half');
  expect((await stats(agent)).verify).toEqual({ checked: SOURCES.length / 2, mismatched: 0 });
  expect(compareWithLocal('obj-half')).toEqual(LOCAL_EQUIVALENT);
}, 120_000);

it('lets the dishonest volunteer through unverified: its objects differ from this machine\'s (the lie is real)', async () => {
  const agent = agentFor(`${liar.alias}/2`, null);
  await build(agent, 'obj-unverified');
  expect(agent.jobs().map((job) => job.host)).toEqual(NAMES.map(() => `${liar.alias}/2`));
  expect(compareWithLocal('obj-unverified')).toEqual({
    identical: [],
    debugEquivalent: [],
    differences: [
      'debug.o: objects differ after objcopy --strip-debug',
      'macros.o: objects differ after objcopy --strip-debug',
      'other.o: objects differ and have no debug info',
      'plain.o: objects differ and have no debug info',
    ],
  });
  expect((await stats(agent)).verify).toEqual({ checked: 0, mismatched: 0 });
}, 120_000);

it('catches the dishonest volunteer: keeps this machine\'s object, logs both sha256, counts it, and sends it no more jobs', async () => {
  const lie = readFileSync(join(project, 'obj-unverified', 'plain.o'));
  const agent = agentFor(`${liar.alias}/2 ${honest.alias}/2`, '1');
  await build(agent, 'obj-caught');
  const liarSpec = `${liar.alias}/2`;
  const honestSpec = `${honest.alias}/2`;
  // The first job went to the liar (first in the list); once caught, the liar is unfit for gcc.
  expect(agent.jobs()).toEqual([
    { output: 'obj-caught/plain.o', host: null, why: `${liarSpec}'s object differed from this machine's (sampled verification)` },
    ...NAMES.slice(1).map((name) => ({ output: `obj-caught/${name}.o`, host: honestSpec, why: null })),
  ]);
  expect(compareWithLocal('obj-caught')).toEqual(LOCAL_EQUIVALENT);
  const truth = sha256(readFileSync(join(project, 'obj-caught', 'plain.o')));
  expect(agent.agentLog()).toContain(
    `${liarSpec}: ${join(project, 'obj-caught', 'plain.o')}: ${liarSpec}'s object differed from this machine's (sampled verification): ` +
      `plain.o: volunteer sha256 ${sha256(lie)}, here sha256 ${truth}; ${liarSpec} gets no more jobs for gcc from this agent`,
  );
  const counted = await stats(agent);
  expect(counted.verify).toEqual({ checked: SOURCES.length, mismatched: 1 });
  expect(counted.jobs).toMatchObject({ remote: SOURCES.length - 1, local: 1, failedOver: 1, localByReason: { 'verify-mismatch': 1 } });
  expect(counted.hosts[liarSpec]).toMatchObject({ jobs: 0, attempts: 1, verified: 1, failures: { 'verify-mismatch': 1 } });
  expect(counted.hosts[honestSpec]).toMatchObject({ jobs: SOURCES.length - 1, verified: SOURCES.length - 1, failures: {} });
  const text = (await runCaptured([SSHCC, 'stats'], { cwd: project, env: agent.env })).stdout;
  expect(text).toMatch(new RegExp(`^Verified here \\(SSHCC_VERIFY\\) +${SOURCES.length} remote jobs, 1 mismatched$`, 'm'));
  expect(readdirSync(agent.env.TMPDIR as string)).toEqual([]);
}, 120_000);
