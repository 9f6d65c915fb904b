// A volunteer's slots shared by its clients, end to end: one real sshd volunteer whose server.json sets
// `slots`, and two agents (two SSHCC_DIRs, two projects) building through it at once. What runs there is
// counted from /proc: a compile on the volunteer is a gcc/g++ driver whose cwd is in its TMPDIR (its job
// dir), and the client's path inside the mirror says whose job it is.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
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

/** The volunteer owner's server.json (its sessions' HOME is the volunteer's own), once its coordinator applies `cap`. */
async function setSlots(slots: unknown, cap = slots as number): Promise<void> {
  const dir = join(volunteer.home, '.config', 'sshcc');
  mkdirSync(dir, { recursive: true });
  // Whole or not at all, as an editor saves: the coordinator reads it when the directory changes.
  writeFileSync(join(dir, 'server.json.new'), JSON.stringify({ slots }));
  renameSync(join(dir, 'server.json.new'), join(dir, 'server.json'));
  if (!(await waitFor(() => capThere() === cap, 60_000, 200))) throw new Error(`the volunteer's cap did not become ${cap}`);
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
  // No result cache, the agent's or the volunteer's: the projects share sources, and every job must compile.
  const env = { ...agentEnvironment(dir, config.env, `${volunteer.alias}/${slots}`), SSHCC_CACHE: '0' };
  agents.push(env);
  await startAgent(env);
  return { env, project: generateProject(dir, files) };
}

async function startAgent(env: NodeJS.ProcessEnv): Promise<void> {
  spawnSync(SSHCC, ['agent', 'start'], { env, encoding: 'utf8', timeout: 30_000 });
  if (!(await waitFor(() => spawnSync(SSHCC, ['agent', 'status'], { env }).status === 0, 30_000, 100))) throw new Error(`the agent did not start: ${agentLog(env)}`);
}

/** The cap the volunteer's hello reports now (its coordinator reads server.json when its directory changes). */
function capThere(): number | undefined {
  const env = { ...agentEnvironment(join(root, 'ping'), config.env, volunteer.alias) };
  const run = spawnSync(SSHCC, ['ping', '--json'], { env, encoding: 'utf8', timeout: 60_000 });
  const reports = JSON.parse(run.stdout || '[]') as { server: { capacity: { cap: number } | null } | null }[];
  return reports[0]?.server?.capacity?.cap;
}

function make(c: Client, jobs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('make', [`-j${jobs}`, `CXX=${SSHCC} g++`], { cwd: c.project.dir, env: c.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code: number | null) => resolve({ code, stderr }));
  });
}

/** A live process's parent and start time (clock ticks since boot), or null once it is gone or a zombie. */
function statOf(pid: number): { readonly ppid: number; readonly start: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return { ppid: Number(fields[1]), start: Number(fields[19]) };
  } catch {
    return null;
  }
}

/**
 * Compiles running on the volunteer at one moment, by driver pid, with the project dir of whose they
 * are. A driver is counted once: the copy it forks to start cc1 or as is a gcc too until its exec. A pass
 * over /proc is not one moment (a compile may end and the next start while it reads), so the drivers found
 * are read again newest first: those still alive then all ran at the moment the newest was read.
 */
function compilesThere(projects: readonly string[]): Map<number, string> {
  const found = new Map<number, string>();
  for (const info of listProcesses()) {
    if (!DRIVER.test(info.name) || !info.cwd.startsWith(`${volunteerTmp}/`)) continue;
    found.set(info.pid, projects.find((project) => info.cwd.endsWith(project)) ?? '?');
  }
  const stats = [...found.keys()].map((pid) => [pid, statOf(pid)] as const).filter((entry) => entry[1] !== null && !found.has(entry[1].ppid));
  const newestFirst = stats.sort((a, b) => (b[1]?.start ?? 0) - (a[1]?.start ?? 0));
  return new Map(newestFirst.filter(([pid]) => statOf(pid) !== null).map(([pid]) => [pid, found.get(pid) as string]));
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
  await setSlots(2);
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
    // Each compiled there, or (on a machine slow enough that it waited its longest) was declined busy and built here.
    const here = jobs.filter((job) => job.host === null);
    for (const job of here) expect(job.why).toMatch(/: busy: all 2 of the volunteer's slots are taken\)$/);
    expect(stats(c).hosts[`${volunteer.alias}/4`]).toMatchObject({ jobs: 9 - here.length, declinedBusy: here.length });
  }
  // One of them waited for the other's jobs, and its stats say how long.
  const waited = [a, b].map((c) => stats(c).hosts[`${volunteer.alias}/4`]?.slotWaitMs ?? 0);
  expect(Math.max(...waited)).toBeGreaterThan(0);
}, 240_000);

test("fairness: a make -j2 that starts while a make -j8 fills the queue gets every other slot, and finishes first", async () => {
  await setSlots(1);
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
  const compiledThere = (c: Client) => readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o') && job.host !== null);
  expect(smallAt.length).toBe(compiledThere(small).length);
  expect(smallAt.length).toBeGreaterThanOrEqual(2);
  const gaps = smallAt.slice(1).map((at, i) => at - (smallAt[i] as number) - 1);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(3);
  // A job compiles there, or (on a machine slow enough that it waited its longest) is declined busy and built here.
  for (const c of [big, small]) {
    for (const job of readJobLog(c.env.SSHCC_LOG as string).filter((line) => line.output.endsWith('.o') && line.host === null)) {
      expect(job.why).toMatch(/: busy: all 1 of the volunteer's slots are taken\)$/);
    }
  }
}, 240_000);

test('slots 0 mid-build (draining): the compiles running there finish there; once the agent has heard of it, none is sent (a job sent before is declined busy)', async () => {
  await setSlots(2);
  const c = await client('drain', 4, 10);
  const build = make(c, 4);
  expect(await waitFor(() => compilesThere([c.project.dir]).size > 0, 60_000, 10)).toBe(true);
  await setSlots(0);
  expect(await build).toEqual({ code: 0, stderr: '' });
  const jobs = readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o'));
  expect(jobs).toHaveLength(11);
  // Compiled there: at least the one running at the edit; compiled here: what came after.
  expect(jobs.filter((job) => job.host !== null).length).toBeGreaterThan(0);
  const here = jobs.filter((job) => job.host === null);
  expect(here.length).toBeGreaterThan(0);
  // An answer (a result or a decline) carries the volunteer's cap of 0: from then on the agent sends it
  // nothing (placement fills at most the cap), so the rest go here without a round trip, until that word
  // is 30 s old. A job sent before the agent heard is declined busy.
  const declined = here.filter((job) => /draining \(slots 0\)/.test(job.why ?? ''));
  for (const job of here) expect(job.why).toMatch(/draining \(slots 0\)|^no volunteer is usable$/);
  // A job declined, then asked to queue (no other host left), is declined again: each decline is counted.
  const declines = here.reduce((n, job) => n + (job.why?.match(/draining \(slots 0\)/g)?.length ?? 0), 0);
  expect(declines).toBeGreaterThanOrEqual(declined.length);
  expect(stats(c).hosts[`${volunteer.alias}/4`]?.declinedBusy).toBe(declines);
  const text = spawnSync(SSHCC, ['stats'], { env: c.env, encoding: 'utf8' }).stdout;
  expect(text).toMatch(new RegExp(`\\n  jobs declined busy \\(volunteer-busy\\) +${declines}\\n`));
}, 240_000);

test("a SIGKILLed session's slot is free: after its servers are killed mid-build, the next build compiles there in full", async () => {
  await setSlots(1);
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
  // A fresh agent: the one whose channels were killed keeps the host backed off a while.
  await stopAgent(c.env);
  await startAgent(c.env);
  // A slot still counted as held would make every job wait its longest and then build here.
  expect(await make(c, 2)).toEqual({ code: 0, stderr: '' });
  const jobs = readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o'));
  expect(jobs).toHaveLength(7);
  expect(jobs.filter((job) => job.host === null)).toEqual([]);
}, 240_000);

test('a bad `slots` value: ping shows the CPU count as the cap, and builds compile there as before', async () => {
  // The volunteer is this machine: its CPU count is ours.
  await setSlots('lots', availableParallelism());
  const c = await client('bad', 2, 2);
  const ping = spawnSync(SSHCC, ['ping'], { env: c.env, encoding: 'utf8', timeout: 60_000 });
  expect(ping.status).toBe(0);
  expect(ping.stdout).toMatch(/\n {2}slots: +\d+\/\d+ \(in use by all its clients \/ its cap\)\n/);
  const cpus = /(\d+) cpus/.exec(ping.stdout)?.[1];
  expect(ping.stdout).toContain(`/${cpus} (in use by all its clients / its cap)`);
  expect(await make(c, 2)).toEqual({ code: 0, stderr: '' });
  expect(readJobLog(c.env.SSHCC_LOG as string).filter((job) => job.output.endsWith('.o') && job.host === null)).toEqual([]);
}, 240_000);
