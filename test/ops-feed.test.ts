// sshcc stats, mon and trace against a real build: make -j8 of examples/ through two sshd volunteers,
// then the agent's counters, its trace and its live view held against what the build did (SSHCC_LOG).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeClientConfig, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import type { StatsData } from '../packages/client/src/views/stats/stats-data';
import { processesUnder, waitUntil, type ProcessInfo } from './support/processes-under';
import { slowCSource } from './support/slow-source';

const REPO = resolve(__dirname, '..');
const SSHCC = join(REPO, 'node_modules/.bin/sshcc');
const OBJECTS = ['strbuf', 'hashmap', 'tokenize', 'wc', 'main', 'ngrams', 'split', 'format', 'ngrams_main'];
const LINKS = ['wordcount', 'ngrams'];

let dir: string;
let project: string;
let volunteers: Volunteer[];
let config: ClientConfig;
let env: NodeJS.ProcessEnv;
let hostIds: string[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-ops-'));
  project = join(dir, 'examples');
  cpSync(join(REPO, 'examples'), project, { recursive: true });
  rmSync(join(project, 'build'), { recursive: true, force: true });
  volunteers = await Promise.all(
    [0, 1].map((i) => {
      const tmp = join(dir, `volunteer-${i}-tmp`);
      mkdirSync(tmp);
      return startVolunteer({ env: { TMPDIR: tmp } });
    }),
  );
  config = await makeClientConfig(volunteers);
  hostIds = volunteers.map((v) => `${v.alias}/4`);
  env = {
    ...process.env,
    ...config.env,
    SSHCC_DIR: join(dir, 'agent'),
    SSHCC_HOSTS: hostIds.join(' '),
    SSHCC_LOG: join(dir, 'jobs.log'),
    SSHCC_AGENT_IDLE: '120',
    LANG: 'C',
    LC_ALL: 'C',
  };
  for (const name of ['MAKEFLAGS', 'MFLAGS', 'SSHCC_VERBOSE']) delete env[name];
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (env) spawnSync(SSHCC, ['agent', 'stop'], { env, timeout: 10_000 });
  await stopAll();
  await config?.remove();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

function sshcc(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(SSHCC, args, { env, encoding: 'utf8', timeout: 20_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** SSHCC_LOG: one line per job, `compiled on <host>`, `compiled locally: <why>` or `answered from the result cache`. */
function logLines(): { file: string; host: string | null }[] {
  return readFileSync(env.SSHCC_LOG as string, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const remote = /^sshcc: (.*): compiled on (\S+) \(\d+ ms\)$/.exec(line);
      if (remote) return { file: remote[1] as string, host: remote[2] as string };
      const here = /^sshcc: (.*?): compiled locally: /.exec(line) ?? /^sshcc: (.*): answered from the result cache(?: without running the preprocessor \(direct mode\))?$/.exec(line);
      if (here) return { file: here[1] as string, host: null };
      throw new Error(`unexpected SSHCC_LOG line: ${line}`);
    });
}

function statsJson(): StatsData {
  const run = sshcc(['stats', '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as StatsData;
}

describe('after make -j8 of examples/ through two volunteers', () => {
  beforeAll(() => {
    const make = spawnSync('make', ['-C', project, '-j8', 'O=build', `CC=${SSHCC} gcc`, `CXX=${SSHCC} g++`], { env, encoding: 'utf8', timeout: 120_000 });
    expect(make.stderr).toBe('');
    expect(make.status).toBe(0);
  }, 150_000);

  it('sshcc stats counts what the build did', () => {
    const lines = logLines();
    // The log names a link by its compiler; the trace below names it by its output.
    expect(lines.map((l) => l.file).sort()).toEqual([...OBJECTS.map((o) => `build/${o}.o`), 'g++', 'gcc'].sort());
    const stats = statsJson();
    const remote = lines.filter((l) => l.host !== null);
    expect(stats.jobs).toEqual({
      total: OBJECTS.length + LINKS.length,
      remote: remote.length,
      local: lines.length - remote.length,
      failedOver: 0,
      errors: 0,
      cancelled: 0,
      // The C++ examples' preprocessed output passes the streaming threshold; whether cpp has ended by then is timing.
      streamed: expect.any(Number),
      localByReason: expect.objectContaining({ link: LINKS.length }),
    });
    expect(stats.jobs.streamed).toBeLessThanOrEqual(remote.length);
    expect(remote.length).toBe(OBJECTS.length);
    expect(stats.time.preprocessed).toBe(OBJECTS.length);
    expect(stats.time.preprocessMs).toBeGreaterThan(0);
    expect(Object.keys(stats.hosts).sort()).toEqual([...new Set(remote.map((l) => l.host as string))].sort());
    for (const [id, host] of Object.entries(stats.hosts)) {
      expect(host.jobs).toBe(remote.filter((l) => l.host === id).length);
      // A volunteer whose slots (its CPU count) were all taken may decline a job first: that is an attempt too.
      expect(host).toMatchObject({ attempts: host.jobs + host.declinedBusy, failures: {}, compiles: host.jobs });
      expect(host.compileMs).toBeGreaterThan(0);
      // zstd on the wire: preprocessed C/C++ and objects shrink.
      expect(host.sentWireBytes).toBeGreaterThan(0);
      expect(host.sentWireBytes).toBeLessThan(host.sentBytes);
      expect(host.receivedWireBytes).toBeLessThan(host.receivedBytes);
    }
    const text = sshcc(['stats']).stdout;
    expect(text).toMatch(new RegExp(`^Jobs +${OBJECTS.length + LINKS.length}$`, 'm'));
    expect(text).toMatch(new RegExp(`^  compiled remotely +${OBJECTS.length}$`, 'm'));
    expect(text).toMatch(/^ {4}link +2$/m);
    for (const id of Object.keys(stats.hosts)) expect(text).toMatch(new RegExp(`^${id.replace(/[/.]/g, '\\$&')} +${stats.hosts[id]?.jobs} +0 +(\\d+ ms|\\d+\\.\\d s) +`, 'm'));
  });

  it('sshcc trace writes one span per job, on valid trace-event tracks', () => {
    const file = join(dir, 'trace.json');
    const run = sshcc(['trace', '-o', file]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${OBJECTS.length + LINKS.length} jobs written to ${file}: open it in https://ui.perfetto.dev or chrome://tracing\n`);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Record<string, unknown>[]; displayTimeUnit: string };
    for (const event of trace.traceEvents) {
      expect(typeof event.name).toBe('string');
      expect(['X', 'M']).toContain(event.ph);
      for (const field of ['ts', 'pid', 'tid']) expect(Number.isInteger(event[field])).toBe(true);
      if (event.ph === 'X') expect(Number.isInteger(event.dur) && (event.dur as number) >= 0).toBe(true);
    }
    const jobs = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'job');
    expect(jobs.map((e) => e.name).sort()).toEqual([...OBJECTS.map((o) => `build/${o}.o`), ...LINKS.map((l) => `build/${l}`)].sort());
    expect(jobs.filter((e) => (e.args as { result: string }).result === 'local').map((e) => e.name).sort()).toEqual(LINKS.map((l) => `build/${l}`).sort());
    // Every remote job shows on a slot track of the volunteer that compiled it, split into send/compile/receive
    // (a volunteer whose slots were all taken may have declined it first: that attempt is a span of its own).
    const processNames = new Map(trace.traceEvents.filter((e) => e.name === 'process_name').map((e) => [e.pid, (e.args as { name: string }).name]));
    const slots = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'slot');
    for (const line of logLines().filter((l) => l.host !== null)) {
      const slot = slots.find((e) => e.name === line.file && processNames.get(e.pid) === line.host);
      expect(slot).toBeDefined();
      const phases = trace.traceEvents.filter((e) => e.cat === 'phase' && e.pid === slot?.pid && e.tid === slot?.tid && (e.ts as number) >= (slot?.ts as number) && (e.ts as number) < (slot?.ts as number) + (slot?.dur as number));
      expect(phases.map((e) => e.name)).toEqual(['send', 'compile', 'receive']);
    }
    expect(sshcc(['trace', '--since', '2d']).stdout).toBe(readFileSync(file, 'utf8'));
    expect(JSON.parse(sshcc(['trace', '--since', `${new Date(Date.now() + 60_000).toISOString()}`]).stdout).traceEvents.filter((e: { ph: string }) => e.ph === 'X')).toEqual([]);
  });

  it('sshcc mon --once during a compile shows it running, and then not', async () => {
    const source = join(project, 'slow.c');
    writeFileSync(source, slowCSource(800));
    const compile = spawn(SSHCC, ['gcc', '-O2', '-c', 'slow.c', '-o', 'slow.o'], { cwd: project, env, stdio: 'ignore' });
    children.push(compile);
    const done = new Promise<number | null>((resolve) => compile.on('close', resolve));
    // The remote compiler is stopped while mon looks, so the job still runs however slow this machine is.
    const compilers = (): ProcessInfo[] => [0, 1].flatMap((i) => processesUnder(join(dir, `volunteer-${i}-tmp`))).filter((p) => p.name === 'cc1');
    expect(await waitUntil(() => compilers().length === 1, 20_000)).toBe(true);
    const cc1 = (compilers()[0] as ProcessInfo).pid;
    process.kill(cc1, 'SIGSTOP');
    let frame = '';
    const hostPattern = hostIds.map((id) => id.replace(/[/.]/g, '\\$&')).join('|');
    const running = new RegExp(`^\\d+ +compile +(${hostPattern}) +\\d+\\.\\ds +slow\\.o$`, 'm');
    for (let i = 0; i < 200 && !running.test(frame); i++) {
      frame = sshcc(['mon', '--once']).stdout;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(frame).toMatch(running);
    expect(frame).toMatch(/^sshcc mon {2}\d\d:\d\d:\d\d {2}finished 11 {2}running 1 {2}queued 0$/m);
    const busyHost = (running.exec(frame) as RegExpExecArray)[1] as string;
    // This agent's slots, the volunteer's own count as its last answer told it (every client's jobs), and
    // the TOOLCHAIN column: these volunteers have gcc, so no pack went anywhere.
    expect(frame).toMatch(new RegExp(`^${busyHost.replace(/[/.]/g, '\\$&')} +up +1/4 +\\d+/\\d+ +-$`, 'm'));
    const json = JSON.parse(sshcc(['mon', '--once', '--json']).stdout) as { running: boolean; jobs: { label: string }[] };
    expect(json.running).toBe(true);
    expect(json.jobs.map((job) => job.label)).toEqual(['slow.o']);
    process.kill(cc1, 'SIGCONT');
    expect(await done).toBe(0);
    expect(existsSync(join(project, 'slow.o'))).toBe(true);
    const after = sshcc(['mon', '--once']).stdout;
    expect(after).toMatch(/finished 12 {2}running 0 {2}queued 0/);
    expect(after).toMatch(/^no jobs running$/m);
  }, 60_000);

  it('keeps the stats across an agent restart, and -z zeroes them', () => {
    const before = statsJson();
    expect(sshcc(['agent', 'stop']).code).toBe(0);
    expect(statsJson()).toEqual(before); // read from $SSHCC_DIR/stats.json, no agent running
    const compile = spawnSync(SSHCC, ['gcc', '-c', 'src/strbuf.c', '-Iinclude', '-o', join(dir, 'again.o')], { cwd: project, env, encoding: 'utf8' });
    expect(compile.status).toBe(0);
    const again = statsJson();
    expect(again.jobs.total).toBe(before.jobs.total + 1);
    expect(again.jobs.remote).toBe(before.jobs.remote + 1);
    expect(sshcc(['stats', '-z']).stdout).toBe('Statistics zeroed\n');
    expect(statsJson().jobs.total).toBe(0);
    expect(JSON.parse(readFileSync(join(env.SSHCC_DIR as string, 'stats.json'), 'utf8')).jobs.total).toBe(0);
  }, 30_000);
});
