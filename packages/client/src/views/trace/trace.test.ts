import { SCENARIO_START } from '../../events/test-scenario';
import { scenarioJobs } from '../monitor/test-scenario-jobs';
import { chromeTrace, type TraceEvent } from './chrome-trace';
import { parseSince } from './parse-since';
import { RecentJobs } from './recent-jobs';

const spans = (events: TraceEvent[], cat: string): TraceEvent[] => events.filter((e) => e.ph === 'X' && e.cat === cat);
const end = (e: TraceEvent): number => e.ts + (e.dur ?? 0);

/** Names of the 'M' events of a pid/tid. */
function names(events: TraceEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.name === 'process_name') out.set(`${e.pid}`, String(e.args?.name));
    if (e.name === 'thread_name') out.set(`${e.pid}/${e.tid}`, String(e.args?.name));
  }
  return out;
}

describe('chromeTrace', () => {
  it('has one job span per finished job, split into its phases', async () => {
    const trace = chromeTrace(await scenarioJobs(), 'sshcc test');
    expect(trace.displayTimeUnit).toBe('ms');
    expect(trace.otherData).toEqual({ generator: 'sshcc test', start: new Date(SCENARIO_START).toISOString(), jobs: 5 });
    const jobs = spans(trace.traceEvents, 'job');
    expect(jobs.map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['prog', 0, 1000],
      ['a.o', 0, 155_000],
      ['b.o', 0, 100_000],
      ['c.o', 160_000, 100_000],
      ['d.o', 160_000, 10_000],
    ]);
    const a = jobs[1] as TraceEvent;
    const phasesOfA = spans(trace.traceEvents, 'phase').filter((e) => e.pid === a.pid && e.tid === a.tid && e.ts >= a.ts && end(e) <= end(a));
    expect(phasesOfA.map((e) => [e.name, e.ts / 1000, end(e) / 1000])).toEqual([
      ['queue', 0, 10],
      ['preprocess', 10, 30],
      ['queue', 30, 40],
      ['send', 40, 45],
      ['compile', 45, 145],
      ['receive', 145, 150],
    ]);
  });

  it('puts each stay on a slot on that host slot\'s track, and names the tracks', async () => {
    const trace = chromeTrace(await scenarioJobs(), 'sshcc test');
    const named = names(trace.traceEvents);
    const slots = spans(trace.traceEvents, 'slot').map((e) => [e.name, named.get(`${e.pid}`), named.get(`${e.pid}/${e.tid}`), e.args?.outcome]);
    expect(slots).toEqual([
      ['a.o', 'h1', 'slot 1', 'compiled'],
      ['b.o', 'h1', 'slot 2', 'connect'],
      ['b.o', 'h2', 'slot 1', 'compiled'],
      ['c.o', 'this machine', 'compile 1', 'local'],
    ]);
    const cpp = spans(trace.traceEvents, 'preprocess').map((e) => [e.name, named.get(`${e.pid}/${e.tid}`), e.ts, e.dur]);
    expect(cpp).toEqual([['a.o', 'cpp 1', 10_000, 20_000]]);
  });

  it('writes only valid trace events: spans nest on their track, never overlap otherwise', async () => {
    const trace = chromeTrace(await scenarioJobs(), 'sshcc test');
    for (const e of trace.traceEvents) {
      expect(typeof e.name).toBe('string');
      expect(['X', 'M']).toContain(e.ph);
      expect(Number.isInteger(e.ts) && e.ts >= 0).toBe(true);
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      if (e.ph === 'X') expect(Number.isInteger(e.dur) && (e.dur as number) >= 0).toBe(true);
    }
    const tracks = new Map<string, TraceEvent[]>();
    for (const e of trace.traceEvents.filter((e) => e.ph === 'X')) tracks.set(`${e.pid}/${e.tid}`, [...(tracks.get(`${e.pid}/${e.tid}`) ?? []), e]);
    for (const events of tracks.values()) {
      for (const x of events) {
        for (const y of events) {
          if (x === y) continue;
          const disjoint = end(x) <= y.ts || end(y) <= x.ts;
          const nested = (x.ts <= y.ts && end(y) <= end(x)) || (y.ts <= x.ts && end(x) <= end(y));
          expect(disjoint || nested).toBe(true);
        }
      }
    }
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
  });

  it('is an empty but valid trace without jobs', () => {
    expect(chromeTrace([], 'sshcc test').traceEvents.filter((e) => e.ph === 'X')).toEqual([]);
  });
});

describe('RecentJobs', () => {
  it('keeps the last N, oldest first', async () => {
    const jobs = await scenarioJobs();
    const ring = new RecentJobs(3);
    for (const job of jobs) ring.add(job);
    expect(ring.size).toBe(3);
    expect(ring.list().map((job) => job.label)).toEqual(['a.o', 'd.o', 'c.o']);
  });
});

describe('parseSince', () => {
  const now = Date.UTC(2025, 4, 1, 12, 0, 0);
  it.each([
    ['90s', now - 90_000],
    ['10m', now - 600_000],
    ['1.5h', now - 5_400_000],
    ['2d', now - 172_800_000],
    ['2025-05-01T11:00:00Z', Date.UTC(2025, 4, 1, 11, 0, 0)],
    ['2025-05-01 11:00:00Z', Date.UTC(2025, 4, 1, 11, 0, 0)],
  ])('%s', (text, at) => {
    expect(parseSince(text, now)).toBe(at);
  });

  it('refuses what is neither', () => {
    expect(() => parseSince('yesterday', now)).toThrow('--since "yesterday" is neither a duration nor a time');
  });
});
