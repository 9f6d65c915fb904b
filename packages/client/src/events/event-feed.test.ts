import { analyzeArgs } from '@sshcc/core';
import { EventFeed } from './event-feed';
import type { FeedEvent } from './feed-event';
import { applyJobEvent, isJobEvent, jobPhase, newJobRecord, type JobRecord } from './job-record';
import { jobLabel } from './job-label';
import { SlotTable } from './slot-table';
import { runScenario, scenarioRequest, SCENARIO_START } from './test-scenario';

function scenarioFeed() {
  const clock = { now: SCENARIO_START };
  return { feed: new EventFeed(() => clock.now), clock };
}

function records(events: readonly FeedEvent[]): Map<number, JobRecord> {
  const jobs = new Map<number, JobRecord>();
  for (const event of events) {
    if (!isJobEvent(event)) continue;
    if (event.type === 'job-start') jobs.set(event.job, newJobRecord(event));
    else applyJobEvent(jobs.get(event.job) as JobRecord, event);
  }
  return jobs;
}

describe('the event feed', () => {
  it('reports a remote job in order, with its slot, stages and figures', async () => {
    const { feed, clock } = scenarioFeed();
    const events = await runScenario(feed, clock);
    const a = events.filter((e) => isJobEvent(e) && e.job === 2).map((e) => [e.type, e.at - SCENARIO_START]);
    expect(a).toEqual([
      ['job-start', 0],
      ['cpp-wait', 0],
      ['preprocess-start', 10],
      ['preprocess-end', 30],
      ['compile-wait', 30],
      ['slot-granted', 40],
      ['stage', 45],
      ['stage', 145],
      ['slot-released', 150],
      ['job-end', 155],
    ]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'slot-granted', job: 2, host: 'h1', local: false, slot: 0 }));
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'slot-released', job: 2, outcome: 'compiled', figures: expect.objectContaining({ compileMs: 98, sentBytes: 1000, sentWireBytes: 200 }) }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'job-end', job: 2, result: 'remote', host: 'h1', reason: null, failedOver: false, exitCode: 0 }));
  });

  it('numbers the busy slots of a host from 0 and reuses a freed number', async () => {
    const { feed, clock } = scenarioFeed();
    const events = await runScenario(feed, clock);
    const grants = events.flatMap((e) => (e.type === 'slot-granted' ? [[e.job, e.host, e.slot]] : []));
    expect(grants).toEqual([
      [2, 'h1', 0],
      [3, 'h1', 1],
      [3, 'h2', 0],
      [4, null, 0],
      [6, 'h2', 0],
    ]);
  });

  it('records failures, fallbacks, cancellations and exec answers as the stats count them', async () => {
    const { feed, clock } = scenarioFeed();
    const events = await runScenario(feed, clock);
    const ends = events.flatMap((e) => (e.type === 'job-end' ? [[e.job, e.result, e.host, e.reason, e.failedOver, e.exitCode]] : []));
    expect(ends).toEqual([
      [1, 'local', null, 'link', false, null],
      [3, 'remote', 'h2', null, true, 0],
      [2, 'remote', 'h1', null, false, 0],
      [5, 'cancelled', null, 'cancelled', false, null],
      [4, 'local', null, 'fallback', true, 0],
    ]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'slot-released', job: 3, outcome: 'connect', figures: null }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'slot-released', job: 4, outcome: 'local' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'host-state', host: 'h1', state: 'backoff', until: SCENARIO_START + 1050, error: 'connection refused' }));
  });

  it('folds the events into records whose phase is what the job does now', async () => {
    const { feed, clock } = scenarioFeed();
    const jobs = records(await runScenario(feed, clock));
    expect(jobs.get(2)).toMatchObject({ label: 'a.o', preprocessStart: SCENARIO_START + 10, preprocessEnd: SCENARIO_START + 30, end: SCENARIO_START + 155 });
    expect(jobs.get(3)?.attempts.map((a) => [a.host, a.outcome])).toEqual([
      ['h1', 'connect'],
      ['h2', 'compiled'],
    ]);
    expect([...jobs.values()].map((job) => [job.label, jobPhase(job)])).toEqual([
      ['prog', 'done'],
      ['a.o', 'done'],
      ['b.o', 'done'],
      ['c.o', 'done'],
      ['d.o', 'done'],
      ['e.o', 'compile'],
      ['f.o', 'queued'],
    ]);
  });

  it('names a job by its output once the analysis knows it', () => {
    const clock = { now: 0 };
    const feed = new EventFeed(() => clock.now);
    const events: FeedEvent[] = [];
    feed.subscribe((e) => events.push(e));
    const request = scenarioRequest(['gcc', '-c', 'src/x.c']);
    const job = feed.begin(request);
    job.analysed(analyzeArgs(request.argv, { cwd: request.cwd, env: {}, readFile: () => '' }));
    expect(events.map((e) => ('label' in e ? e.label : null))).toEqual(['src/x.c', 'x.o']);
  });

  it('drops a listener that throws, and still tells the others', () => {
    const feed = new EventFeed(() => 0);
    const seen: string[] = [];
    feed.subscribe(() => {
      throw new Error('a buggy monitor');
    });
    feed.subscribe((e) => seen.push(e.type));
    feed.begin(scenarioRequest(['gcc', '-c', 'a.c']));
    feed.begin(scenarioRequest(['gcc', '-c', 'b.c']));
    expect(seen).toEqual(['job-start', 'job-start']);
  });
});

describe('SlotTable', () => {
  it('hands out the lowest free number per key', () => {
    const table = new SlotTable();
    expect([table.take('h'), table.take('h'), table.take('g')]).toEqual([0, 1, 0]);
    table.free('h', 0);
    expect([table.take('h'), table.take('h')]).toEqual([0, 2]);
  });
});

describe('jobLabel', () => {
  it.each([
    [['gcc', '-c', 'a.c', '-o', 'obj/a.o'], undefined, 'obj/a.o'],
    [['gcc', '-c', 'a.c', '-oobj/a.o'], undefined, 'obj/a.o'],
    [['gcc', '-E', 'a.c'], undefined, 'a.c'],
    [['gcc', '--version'], undefined, 'gcc'],
    [['gcc', '-c', 'a.c'], '/src/build/a.o', 'build/a.o'],
    [['gcc', '-c', 'a.c'], '/elsewhere/a.o', '/elsewhere/a.o'],
  ])('%j', (argv, output, label) => {
    expect(jobLabel('/src', argv, output)).toBe(label);
  });
});
