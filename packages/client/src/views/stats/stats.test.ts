import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventFeed, type JobRecord } from '../../events';
import { remoteResult, SCENARIO_START, scenarioRequest } from '../../events/test-scenario';
import { LiveView } from '../monitor/live-view';
import { scenarioJobs } from '../monitor/test-scenario-jobs';
import { countBackoff, countJob } from './count-job';
import { countPackPush, notePacksHeld } from './count-pack';
import { formatStats } from './format-stats';
import { emptyStats, normalizeStats, type StatsData } from './stats-data';
import { readStatsFile } from './stats-file';
import { StatsKeeper } from './stats-keeper';

/** A feed whose finished jobs are counted into fresh stats, as the agent's feed does. */
function countedFeed(): { feed: EventFeed; stats: StatsData } {
  const feed = new EventFeed(() => SCENARIO_START);
  const view = new LiveView();
  const stats = emptyStats(SCENARIO_START);
  feed.subscribe((event) => {
    const job = view.apply(event);
    if (job !== null) countJob(stats, job);
  });
  return { feed, stats };
}

async function scenarioStats(): Promise<StatsData> {
  const stats = emptyStats(SCENARIO_START);
  for (const job of await scenarioJobs()) countJob(stats, job);
  countBackoff(stats, 'h1');
  return stats;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-stats-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('countJob', () => {
  it('counts where jobs went, why they ran locally, and the local times', async () => {
    const stats = await scenarioStats();
    expect(stats.jobs).toEqual({ total: 5, remote: 2, local: 2, failedOver: 2, errors: 0, cancelled: 1, streamed: 0, localByReason: { link: 1, fallback: 1 } });
    expect(stats.time).toEqual({ preprocessed: 1, preprocessMs: 20, cppWaitMs: 10, queuedMs: 30, localCompiles: 1, localCompileMs: 100 });
  });

  it('counts per host: jobs, failures by kind, compile time, bytes and backoffs', async () => {
    const stats = await scenarioStats();
    expect(stats.hosts).toEqual({
      h1: {
        jobs: 1,
        attempts: 2,
        failures: { connect: 1 },
        compiles: 1,
        compileMs: 98,
        slotMs: 120,
        sentBytes: 1000,
        sentWireBytes: 200,
        receivedBytes: 3000,
        receivedWireBytes: 1000,
        backoffs: 1,
        cacheHits: 0,
        verified: 0,
        packsPushed: 0,
        packWireBytes: 0,
        packPushMs: 0,
        packsFailed: 0,
        lastPackFailure: null,
        packsHeld: [],
        declinedBusy: 0,
        slotWaitMs: 0,
      },
      h2: {
        jobs: 1,
        attempts: 1,
        failures: {},
        compiles: 1,
        compileMs: 40,
        slotMs: 50,
        sentBytes: 1000,
        sentWireBytes: 200,
        receivedBytes: 3000,
        receivedWireBytes: 1000,
        backoffs: 0,
        cacheHits: 0,
        verified: 0,
        packsPushed: 0,
        packWireBytes: 0,
        packPushMs: 0,
        packsFailed: 0,
        lastPackFailure: null,
        packsHeld: [],
        declinedBusy: 0,
        slotWaitMs: 0,
      },
    });
  });
});

describe("a volunteer's shared slots", () => {
  it('counts a job declined busy (not a host failure) and the time jobs waited there for a slot', async () => {
    const { feed, stats } = countedFeed();
    feed.hosts({ hosts: [{ id: 'h1', slots: 4 }, { id: 'h2', slots: 4 }], cppSlots: 2, localSlots: 1 });
    const job = feed.begin(scenarioRequest(['gcc', '-c', 'a.c', '-o', 'a.o']));
    const first = await job.compileSlot(Promise.resolve({ kind: 'remote', hostId: 'h1', release: () => undefined }));
    const declined = remoteResult(0);
    job.remoteDone({ ...declined, kind: 'busy', timings: { ...declined.timings, slotWaitMs: 30_000 } }, 'volunteer-busy');
    first.release();
    const second = await job.compileSlot(Promise.resolve({ kind: 'remote', hostId: 'h2', release: () => undefined }));
    const served = remoteResult(40);
    job.remoteDone({ ...served, timings: { ...served.timings, slotWaitMs: 250 } }, 'compiled');
    second.release();
    job.countRemote('h2', true);
    job.end({ kind: 'result', exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
    expect(stats.hosts.h1).toMatchObject({ attempts: 1, declinedBusy: 1, slotWaitMs: 30_000, failures: {} });
    expect(stats.hosts.h2).toMatchObject({ jobs: 1, declinedBusy: 0, slotWaitMs: 250 });
    const text = formatStats(stats);
    expect(text).toContain("Volunteers' slots (shared with their other clients)\n");
    expect(text).toMatch(/\n {2}jobs declined busy \(volunteer-busy\) +1\n {2}waiting for a slot there +30\.3 s\n/);
  });
});

describe('formatStats', () => {
  it('reads like ccache -s, with a row per host', async () => {
    const text = formatStats(await scenarioStats());
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Stats since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, last counted \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(lines.slice(1)).toEqual([
      'Jobs                      5',
      '  compiled remotely       2',
      '  run locally             2',
      '    fallback              1',
      '    link                  1',
      '  failed over             2',
      '  sshcc errors            0',
      '  cancelled               1',
      'Local time',
      '  preprocessing           0.0 s  (1 jobs, mean 20 ms)',
      '  waiting for a cpp slot  0.0 s',
      '  waiting in the queue    0.0 s',
      '  compiling here          0.1 s  (1 jobs, mean 100 ms)',
      '',
      'HOST  JOBS  FAILURES       MEAN COMPILE  SENT (RAW / WIRE)  RECEIVED (RAW / WIRE)  BACKOFFS',
      'h1    1     1 (connect 1)  98 ms         1.0 kB / 200 B     3.0 kB / 1.0 kB        1',
      'h2    1     0              40 ms         1.0 kB / 200 B     3.0 kB / 1.0 kB        0',
      '',
    ]);
  });
});

describe('normalizeStats', () => {
  it('keeps good numbers and zeroes bad ones', () => {
    const raw = { ...emptyStats(0), jobs: { total: 3, remote: -1, local: 'x', localByReason: { link: 2, bad: -3 } }, hosts: { h: { jobs: 4, failures: { timeout: 1 } } } };
    const stats = normalizeStats(JSON.parse(JSON.stringify(raw)), 0);
    expect(stats?.jobs).toMatchObject({ total: 3, remote: 0, local: 0, localByReason: { link: 2 } });
    expect(stats?.hosts.h).toMatchObject({ jobs: 4, attempts: 0, failures: { timeout: 1 } });
  });

  it.each([null, [], 'stats', { version: 2 }])('refuses %j', (raw) => {
    expect(normalizeStats(raw, 0)).toBeNull();
  });
});

describe('StatsKeeper', () => {
  it('writes the counters a little after a job, atomically, and a new keeper carries on from them', async () => {
    const file = join(dir, 'stats.json');
    const jobs = await scenarioJobs();
    const keeper = new StatsKeeper({ file, writeDelayMs: 20 });
    for (const job of jobs) keeper.countJob(job);
    expect(readStatsFile(file, 0).stats.jobs.total).toBe(0); // nothing written yet: a job never waits on the disk
    // Written by the timer alone, without a flush (polled: this machine may be busy).
    for (let i = 0; i < 500 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(JSON.parse(readFileSync(file, 'utf8')).jobs.total).toBe(5);
    expect(readdirSync(dir)).toEqual(['stats.json']); // no temp file left
    const restarted = new StatsKeeper({ file, writeDelayMs: 20 });
    restarted.countJob(jobs[0] as JobRecord);
    await restarted.flush();
    expect(readStatsFile(file, 0).stats.jobs.total).toBe(6);
  });

  it('zeroes the counters on disk at once', async () => {
    const file = join(dir, 'stats.json');
    const keeper = new StatsKeeper({ file, writeDelayMs: 60_000 });
    for (const job of await scenarioJobs()) keeper.countJob(job);
    const zeroed = await keeper.zero();
    expect(zeroed.jobs.total).toBe(0);
    expect(readStatsFile(file, 0).stats.jobs.total).toBe(0);
    expect(Date.parse(readStatsFile(file, 0).stats.since)).toBeGreaterThan(SCENARIO_START);
  });

  it('starts from zero, and says why, when the file is damaged', () => {
    const file = join(dir, 'stats.json');
    writeFileSync(file, '{"version": 1, "jobs": ');
    const lines: string[] = [];
    const keeper = new StatsKeeper({ file, log: (line) => lines.push(line) });
    expect(keeper.current().jobs.total).toBe(0);
    expect(lines).toEqual([`stats: ${file} is not JSON; counting from zero`]);
  });

  it('creates a missing $SSHCC_DIR to write into', async () => {
    const file = join(dir, 'not-yet', 'stats.json');
    const keeper = new StatsKeeper({ file });
    keeper.countBackoff('h');
    await keeper.flush();
    expect(readStatsFile(file, 0).stats.hosts.h?.backoffs).toBe(1);
  });
});

describe('result cache figures', () => {
  /** Four jobs: an agent hit after cpp, a direct agent hit (no cpp), a volunteer hit on h1, and a miss compiled on h1. */
  async function cacheStats(): Promise<StatsData> {
    const { feed, stats } = countedFeed();
    const ok = { kind: 'result', exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) } as const;
    const agentHit = feed.begin(scenarioRequest(['gcc', '-c', 'a.c']));
    agentHit.cacheLookup('hit');
    agentHit.countLocal('agent-cache', false);
    agentHit.end(ok);
    const directHit = feed.begin(scenarioRequest(['gcc', '-c', 'd.c']));
    directHit.cacheLookup('direct-hit');
    directHit.countLocal('agent-cache-direct', false);
    directHit.end(ok);
    for (const cached of [true, false]) {
      const job = feed.begin(scenarioRequest(['gcc', '-c', 'b.c']));
      job.cacheLookup('miss');
      const slot = await job.compileSlot(Promise.resolve({ kind: 'remote', hostId: 'h1', release: () => undefined }));
      job.remoteDone({ ...remoteResult(cached ? 0 : 50), cached }, 'compiled');
      slot.release();
      job.countRemote('h1', false);
      job.end(ok);
    }
    return stats;
  }

  it('counts agent hits (direct ones apart too), volunteer hits and misses, and a host\'s hits apart from its compiles', async () => {
    const stats = await cacheStats();
    expect(stats.cache).toEqual({ agentHits: 2, directHits: 1, volunteerHits: 1, misses: 1 });
    expect(stats.hosts.h1).toMatchObject({ jobs: 2, cacheHits: 1, compiles: 1, compileMs: 50 });
    expect(stats.jobs.localByReason).toEqual({ 'agent-cache': 1, 'agent-cache-direct': 1 });
  });

  it('shows a hit rate', async () => {
    const lines = formatStats(await cacheStats()).split('\n');
    expect(lines).toContain('Result cache              3 / 4 hits (75.0 %)');
    expect(lines).toContain('  agent hits              2');
    expect(lines).toContain('    direct (no cpp run)   1');
    expect(lines).toContain('    preprocessed          1');
    expect(lines).toContain('  volunteer hits          1');
    expect(lines).toContain('  misses                  1');
    expect(lines).toContain('HOST  JOBS  CACHE HITS  FAILURES  MEAN COMPILE  SENT (RAW / WIRE)  RECEIVED (RAW / WIRE)  BACKOFFS');
    expect(lines).toContain('h1    2     1           0         50 ms         2.0 kB / 400 B     6.0 kB / 2.0 kB        0');
  });

  it('reads stats written before the cache as zero hits', () => {
    const old = { ...emptyStats(SCENARIO_START), cache: undefined };
    expect(normalizeStats(JSON.parse(JSON.stringify(old)), SCENARIO_START)?.cache).toEqual({ agentHits: 0, directHits: 0, volunteerHits: 0, misses: 0 });
  });
});

describe('attempts the agent set aside', () => {
  it('counts a volunteer compile whose answer was set aside (diagnostics rerun here) as that host\'s compile, not its failure', async () => {
    const { feed, stats } = countedFeed();
    const job = feed.begin(scenarioRequest(['gcc', '-c', 'w.c']));
    const slot = await job.compileSlot(Promise.resolve({ kind: 'remote', hostId: 'h1', release: () => undefined }));
    job.remoteDone(remoteResult(30), 'diagnostics');
    slot.release();
    job.countLocal('diagnostics', false);
    job.end({ kind: 'exec', argv: ['/usr/bin/gcc'] });
    expect(stats.hosts.h1).toMatchObject({ attempts: 1, compiles: 1, compileMs: 30, failures: {} });
    expect(stats.jobs.localByReason).toEqual({ diagnostics: 1 });
  });
});

describe('streamed jobs', () => {
  async function streamedStats(streamed: number): Promise<StatsData> {
    const { feed, stats } = countedFeed();
    for (let i = 0; i < 3; i++) {
      const job = feed.begin(scenarioRequest(['gcc', '-c', `s${i}.c`]));
      if (i < streamed) job.streamed();
      const slot = await job.compileSlot(Promise.resolve({ kind: 'remote', hostId: 'h1', release: () => undefined }));
      job.remoteDone(remoteResult(10), 'compiled');
      slot.release();
      job.countRemote('h1', false);
      job.end({ kind: 'result', exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
    }
    return stats;
  }

  it('counts jobs whose source went up while it was preprocessed, and shows the row once there are some', async () => {
    const some = await streamedStats(2);
    expect(some.jobs).toMatchObject({ remote: 3, streamed: 2 });
    expect(formatStats(some).split('\n')).toContain('  streamed while preprocessed  2');
    expect(formatStats(await streamedStats(0))).not.toContain('streamed');
  });

  it('reads stats written before streaming as none streamed', () => {
    const { streamed: _streamed, ...jobs } = emptyStats(SCENARIO_START).jobs;
    const old = { ...emptyStats(SCENARIO_START), jobs };
    expect(normalizeStats(JSON.parse(JSON.stringify(old)), SCENARIO_START)?.jobs.streamed).toBe(0);
  });
});

describe('sampled verification', () => {
  /** Three jobs from h1, each verified here: the second one's objects differ, and this machine's is kept. */
  async function verifiedStats(): Promise<StatsData> {
    const { feed, stats } = countedFeed();
    const ok = { kind: 'result', exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) } as const;
    for (const match of [true, false, true]) {
      const job = feed.begin(scenarioRequest(['gcc', '-c', 'v.c']));
      const remote = await job.compileSlot(Promise.resolve({ kind: 'remote', hostId: 'h1', release: () => undefined }));
      job.remoteDone(remoteResult(10), 'compiled');
      remote.release();
      const local = await job.compileSlot(Promise.resolve({ kind: 'local', hostId: null, release: () => undefined }));
      local.release();
      job.verified('h1', match);
      if (match) job.countRemote('h1', false);
      else job.countLocal('verify-mismatch', true);
      job.end(ok);
    }
    return stats;
  }

  it('counts verified answers and mismatches, the host\'s among its failures, and the jobs that kept this machine\'s object', async () => {
    const stats = await verifiedStats();
    expect(stats.verify).toEqual({ checked: 3, mismatched: 1 });
    expect(stats.hosts.h1).toMatchObject({ jobs: 2, verified: 3, compiles: 3, failures: { 'verify-mismatch': 1 } });
    expect(stats.jobs).toMatchObject({ remote: 2, local: 1, failedOver: 1, localByReason: { 'verify-mismatch': 1 } });
    // The compiles here are local compile time: what verifying cost this machine.
    expect(stats.time.localCompiles).toBe(3);
  });

  it('shows the verified row and column once a job has been verified', async () => {
    const lines = formatStats(await verifiedStats()).split('\n');
    expect(lines).toContain('Verified here (SSHCC_VERIFY)  3 remote jobs, 1 mismatched');
    expect(lines).toContain('    verify-mismatch           1');
    expect(lines).toContain('HOST  JOBS  VERIFIED  FAILURES               MEAN COMPILE  SENT (RAW / WIRE)  RECEIVED (RAW / WIRE)  BACKOFFS');
    expect(lines).toContain('h1    2     3         1 (verify-mismatch 1)  10 ms         3.0 kB / 600 B     9.0 kB / 3.0 kB        0');
    expect(formatStats(emptyStats(SCENARIO_START))).not.toContain('Verified');
  });

  it('reads stats written before verification as none verified', () => {
    const old = { ...emptyStats(SCENARIO_START), verify: undefined };
    expect(normalizeStats(JSON.parse(JSON.stringify(old)), SCENARIO_START)?.verify).toEqual({ checked: 0, mismatched: 0 });
  });
});

describe('toolchain packs', () => {
  const GCC = 'ac983e49fb33'.padEnd(64, '0');
  const CLANG = '0123456789ab'.padEnd(64, 'f');
  const push = { pack: GCC, files: 18, filesSent: null, wireBytes: null, ms: null, message: '' };
  const at = SCENARIO_START + 1000;

  /** h1: held gcc from its hello, then took a clang push; h2: two pushes failed; h0: never met a pack. */
  async function packStats(): Promise<StatsData> {
    const stats = await scenarioStats();
    notePacksHeld(stats, 'h1', [GCC]);
    countPackPush(stats, { ...push, host: 'h1', pack: CLANG, state: 'pushing' }, at);
    countPackPush(stats, { ...push, host: 'h1', pack: CLANG, state: 'held', filesSent: 3, wireBytes: 19_900_000, ms: 8100, message: 'sent 3 of 18 files' }, at);
    countPackPush(stats, { ...push, host: 'h2', state: 'failed', ms: 40, message: 'no space left for the pack' }, at);
    countPackPush(stats, { ...push, host: 'h2', pack: '', state: 'failed', ms: 2, message: 'it is arm64, this machine x64: it cannot run this machine\'s compilers' }, at);
    return stats;
  }

  it('counts nothing for a push still under way', () => {
    const stats = emptyStats(SCENARIO_START);
    expect(countPackPush(stats, { ...push, host: 'h', state: 'pushing' }, at)).toBe(false);
    expect(stats).toEqual(emptyStats(SCENARIO_START));
  });

  it.each([
    ['a push held there', { state: 'held', wireBytes: 500, ms: 20 }, { packsPushed: 1, packWireBytes: 500, packPushMs: 20, packsFailed: 0, packsHeld: [GCC] }],
    ['a failed push', { state: 'failed', ms: 20, message: 'disk full' }, { packsPushed: 0, packsFailed: 1, lastPackFailure: 'disk full', packPushMs: 0, packsHeld: [] }],
  ] as const)('counts %s', (_case, change, expected) => {
    const stats = emptyStats(SCENARIO_START);
    expect(countPackPush(stats, { ...push, host: 'h', ...change }, at)).toBe(true);
    expect(stats.hosts.h).toMatchObject(expected);
    expect(stats.updated).toBe(new Date(at).toISOString());
  });

  it('counts pushes per host, and what each is known to hold', async () => {
    const { hosts } = await packStats();
    expect(hosts.h1).toMatchObject({ packsPushed: 1, packWireBytes: 19_900_000, packPushMs: 8100, packsFailed: 0, lastPackFailure: null, packsHeld: [GCC, CLANG] });
    expect(hosts.h2).toMatchObject({ packsPushed: 0, packWireBytes: 0, packsFailed: 2, lastPackFailure: expect.stringMatching(/^it is arm64/), packsHeld: [] });
  });

  it('takes a hello\'s list as all the host holds now (an evicted pack is gone), and says when nothing changed', () => {
    const stats = emptyStats(SCENARIO_START);
    expect(notePacksHeld(stats, 'h', [])).toBe(false);
    expect(notePacksHeld(stats, 'h', null)).toBe(false);
    expect(stats.hosts).toEqual({});
    expect(notePacksHeld(stats, 'h', [GCC, CLANG])).toBe(true);
    expect(notePacksHeld(stats, 'h', [CLANG, GCC])).toBe(false);
    expect(notePacksHeld(stats, 'h', [CLANG])).toBe(true);
    expect(stats.hosts.h?.packsHeld).toEqual([CLANG]);
    expect(notePacksHeld(stats, 'h', null)).toBe(true);
    expect(stats.hosts.h?.packsHeld).toEqual([]);
  });

  it('shows a table of packs under the hosts, naming the compilers this machine knows', async () => {
    const text = formatStats(await packStats(), new Map([[GCC, 'gcc (Debian 12.2.0-14) 12.2.0']]));
    expect(text.split('\n').slice(-5)).toEqual([
      'Toolchain packs',
      'HOST  PACKS HELD                                                                                   PUSHED  SENT     PUSH TIME  PUSHES FAILED',
      "h1    ac983e49fb33 gcc (Debian 12.2.0-14) 12.2.0; 0123456789ab (not in this machine's pack cache)  1       19.9 MB  8.1 s      0",
      "h2    none                                                                                         0       0 B      0.0 s      2 (last: it is arm64, this machine x64: it cannot run this machine's compilers)",
      '',
    ]);
  });

  it('shows no pack table where no host met a pack', async () => {
    expect(formatStats(await scenarioStats())).not.toContain('Toolchain packs');
  });

  it('keeps pack ids and the last reason across a restart, and drops what is not', () => {
    const stats = emptyStats(SCENARIO_START);
    notePacksHeld(stats, 'h', [GCC]);
    countPackPush(stats, { ...push, host: 'h', state: 'failed', message: 'disk full' }, at);
    expect(normalizeStats(JSON.parse(JSON.stringify(stats)), 0)?.hosts.h).toMatchObject({ packsHeld: [GCC], packsFailed: 1, lastPackFailure: 'disk full' });
    const edited = { ...emptyStats(0), hosts: { h: { packsHeld: [GCC, '../x', 7, GCC], lastPackFailure: 42 } } };
    expect(normalizeStats(edited, 0)?.hosts.h).toMatchObject({ packsHeld: [GCC], lastPackFailure: null, packsPushed: 0 });
  });
});
