// A volunteer's slots shared by its clients, end to end: one real sshd volunteer whose server.json sets
// `slots`, and two agents (two SSHCC_DIRs, two projects) building through it at once. What runs there is
// counted from /proc: a compile on the volunteer is a gcc/g++ driver whose cwd is in its TMPDIR (its job
// dir), and the client's path inside the mirror says whose job it is.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClientConfig, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { killProcesses, listProcesses, processesWithEnvironment, waitFor } from './support/build-processes';
import { generateProject, SSHCC, type GeneratedProject } from './support/build-project';
import { readJobLog } from './support/job-log';
import { agentEnvironment, agentLog, stopAgent } from './support/private-agent';
import type { StatsData } from '../packages/client/src/views/stats/stats-data';

const DRIVER = /^(gcc|g\+\+|cc|c\+\+|x86_64-linux-gnu-(gcc|g\+\+)(-\d+)?|(gcc|g\+\+)-\d+)$/;

let root: string;
let volunteer: Volunteer;
let volunteerTmp: string;
let config: ClientConfig;
const agents: NodeJS.ProcessEnv[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sshcc-slots-e2e-'));
  volunteerTmp = join(root, 'volunteer-tmp');
  mkdirSync(volunteerTmp);
  volunteer = await startVolunteer({ maxSessions: 10, env: { TMPDIR: volunteerTmp } });
  config = await makeClientConfig([volunteer]);
}, 60_000);

afterEach(async () => {
  for (const env of agents.splice(0)) await stopAgent(env);
}, 30_000);

afterAll(async () => {
  await config?.remove();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/** The volunteer owner's server.json (its sessions' HOME is the volunteer's own). */
function setSlots(slots: unknown): void {
  const dir = join(volunteer.home, '.config', 'sshcc');
  mkdirSync(dir, { recursive: true });
  // Whole or not at all, as an editor saves: the coordinator reads it when the directory changes.
  writeFileSync(join(dir, 'server.json.new'), JSON.stringify({ slots }));
  renameSync(join(dir, 'server.json.new'), join(dir, 'server.json'));
}

interface Client {
  readonly env: NodeJS.ProcessEnv;
  readonly project: GeneratedProject;
}

/** An agent of its own with `slots` jobs on the volunteer, and a project of `files` C++ files to build. */
async function client(name: string, slots: number, files: number): Promise<Client> {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const env = agentEnvironment(dir, config.env, `${volunteer.alias}/${slots}`);
  agents.push(env);
  spawnSync(SSHCC, ['agent', 'start'], { env, encoding: 'utf8', timeout: 30_000 });
  if (!(await waitFor(() => spawnSync(SSHCC, ['agent', 'status'], { env }).status === 0, 30_000, 100))) throw new Error(`agent ${name} did not start: ${agentLog(env)}`);
  return { env, project: generateProject(dir, files) };
}

function make(c: Client, jobs: number, env: NodeJS.ProcessEnv = c.env): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('make', [`-j${jobs}`, `CXX=${SSHCC} g++`], { cwd: c.project.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code: number | null) => resolve({ code, stderr }));
  });
}

/** Compiles running on the volunteer now, by driver pid, with the project dir of whose they are. */
function compilesThere(projects: readonly string[]): Map<number, string> {
  const found = new Map<number, string>();
  for (const info of listProcesses()) {
    if (!DRIVER.test(info.name) || !info.cwd.startsWith(`${volunteerTmp}/`)) continue;
    found.set(info.pid, projects.find((project) => info.cwd.endsWith(project)) ?? '?');
  }
  return found;
}

/** Samples compilesThere every few ms: the most at once, and the order compiles started in (by project). */
function sample(projects: readonly string[]): { stop: () => { most: number; starts: string[] } } {
  let most = 0;
  const seen = new Set<number>();
  const starts: string[] = [];
  const timer = setInterval(() => {
    const now = compilesThere(projects);
    most = Math.max(most, now.size);
    for (const [pid, project] of now) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      starts.push(project);
    }
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return { most, starts };
    },
  };
}

function stats(c: Client): StatsData {
  return JSON.parse(spawnSync(SSHCC, ['stats', '--json'], { env: c.env, encoding: 'utf8' }).stdout) as StatsData;
}

test('two agents build at once against a volunteer capped at 2: never more than 2 compilers run there, every job compiles there', async () => {
  setSlots(2);
  const [a, b] = await Promise.all([client('a', 4, 8), client('b', 4, 8)]);
  const sampler = sample([a.project.dir, b.project.dir]);
  const [builtA, builtB] = await Promise.all([make(a, 4), make(b, 4)]);
  const { most, starts } = sampler.stop();
  expect([builtA, builtB]).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }]);
  expect(most).toBeLessThanOrEqual(2);
  // Both agents' compiles ran there, side by side.
  expect(starts).toContain(a.project.dir);
  expect(starts).toContain(b.project.dir);
  for (const c of [a, b]) {
    const jobs = readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o'));
    expect(jobs).toHaveLength(9);
    expect(jobs.filter((job) => job.host === null)).toEqual([]);
    expect(stats(c).hosts[`${volunteer.alias}/4`]).toMatchObject({ jobs: 9, declinedBusy: 0 });
  }
  // One of them waited for the other's jobs, and its stats say how long.
  const waited = [a, b].map((c) => stats(c).hosts[`${volunteer.alias}/4`]?.slotWaitMs ?? 0);
  expect(Math.max(...waited)).toBeGreaterThan(0);
}, 240_000);

test("fairness: a make -j2 that starts while a make -j8 fills the queue gets every other slot, and finishes first", async () => {
  setSlots(1);
  const [big, small] = await Promise.all([client('big', 8, 14), client('small', 2, 4)]);
  const sampler = sample([big.project.dir, small.project.dir]);
  const bigBuild = make(big, 8);
  // The small build starts once the big one has a compile running there and more queued behind it.
  expect(await waitFor(() => [...compilesThere([big.project.dir]).values()].includes(big.project.dir), 60_000, 20)).toBe(true);
  const order: string[] = [];
  const smallBuild = make(small, 2).then((r) => (order.push('small'), r));
  const bigDone = bigBuild.then((r) => (order.push('big'), r));
  expect(await Promise.all([bigDone, smallBuild])).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }]);
  const { most, starts } = sampler.stop();
  expect(most).toBe(1);
  expect(order).toEqual(['small', 'big']);
  // Between two of the small build's compiles, few of the big one's: first come first served would put
  // the big build's queue (up to 8) before each of them.
  const smallAt = starts.flatMap((p, i) => (p === small.project.dir ? [i] : []));
  expect(smallAt).toHaveLength(5);
  const gaps = smallAt.slice(1).map((at, i) => at - (smallAt[i] as number) - 1);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(3);
  for (const c of [big, small]) expect(readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o') && job.host === null)).toEqual([]);
}, 240_000);

test('slots 0 mid-build (draining): the compiles running there finish there, the rest is declined busy and built here', async () => {
  setSlots(2);
  const c = await client('drain', 4, 10);
  const build = make(c, 4);
  expect(await waitFor(() => compilesThere([c.project.dir]).size > 0, 60_000, 10)).toBe(true);
  setSlots(0);
  expect(await build).toEqual({ code: 0, stderr: '' });
  const jobs = readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o'));
  expect(jobs).toHaveLength(11);
  // Compiled there: at least the one running at the edit; compiled here: what came after.
  expect(jobs.filter((job) => job.host !== null).length).toBeGreaterThan(0);
  const here = jobs.filter((job) => job.host === null);
  expect(here.length).toBeGreaterThan(0);
  for (const job of here) expect(job.why).toMatch(/draining \(slots 0\)/);
  expect(stats(c).hosts[`${volunteer.alias}/4`]?.declinedBusy).toBe(here.length);
  const text = spawnSync(SSHCC, ['stats'], { env: c.env, encoding: 'utf8' }).stdout;
  expect(text).toMatch(new RegExp(`\\n  jobs declined busy \\(volunteer-busy\\) +${here.length}\\n`));
}, 240_000);

test("a SIGKILLed session's slot is free: after its servers are killed mid-build, the next build compiles there in full", async () => {
  setSlots(1);
  const c = await client('killed', 2, 6);
  const build = make(c, 2);
  expect(await waitFor(() => compilesThere([c.project.dir]).size > 0, 60_000, 10)).toBe(true);
  // The sshcc-server processes of this volunteer (not its coordinator, which must live on).
  const servers = (): number[] =>
    processesWithEnvironment(`TMPDIR=${volunteerTmp}`).filter((pid) => {
      const info = listProcesses().find((p) => p.pid === pid);
      return info !== undefined && info.argv.some((arg) => arg.endsWith('sshcc-server.js')) && !info.argv.includes('--slots-coordinator');
    });
  await killProcesses(servers);
  expect((await build).code).toBe(0);
  rmSync(join(c.project.dir, 'build'), { recursive: true, force: true });
  rmSync(c.env.SSHCC_LOG as string, { force: true });
  // A slot still counted as held would make every job wait its longest and then build here. No cache
  // answers: every job must compile somewhere.
  expect(await make(c, 2, { ...c.env, SSHCC_CACHE: '0' })).toEqual({ code: 0, stderr: '' });
  const jobs = readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o'));
  expect(jobs).toHaveLength(7);
  expect(jobs.filter((job) => job.host === null)).toEqual([]);
}, 240_000);

test('a bad `slots` value: ping shows the CPU count as the cap, and builds compile there as before', async () => {
  setSlots('lots');
  const c = await client('bad', 2, 2);
  const ping = spawnSync(SSHCC, ['ping'], { env: c.env, encoding: 'utf8', timeout: 60_000 });
  expect(ping.status).toBe(0);
  expect(ping.stdout).toMatch(/\n {2}slots: +\d+\/\d+ \(in use by all its clients \/ its cap\)\n/);
  const cpus = /(\d+) cpus/.exec(ping.stdout)?.[1];
  expect(ping.stdout).toContain(`/${cpus} (in use by all its clients / its cap)`);
  expect(await make(c, 2)).toEqual({ code: 0, stderr: '' });
  expect(readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o') && job.host === null)).toEqual([]);
}, 240_000);
