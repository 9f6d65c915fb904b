import { EventFeed, type FeedEvent } from '../../events';
import { runScenario, SCENARIO_START } from '../../events/test-scenario';
import { LiveView } from './live-view';
import { elapsed, renderFrame } from './render-frame';

async function scenario(): Promise<{ view: LiveView; events: FeedEvent[]; finished: string[] }> {
  const clock = { now: SCENARIO_START };
  const feed = new EventFeed(() => clock.now);
  const view = new LiveView();
  const finished: string[] = [];
  feed.subscribe((event) => {
    const done = view.apply(event);
    if (done !== null) finished.push(done.label);
  });
  const events = await runScenario(feed, clock);
  return { view, events, finished };
}

describe('LiveView', () => {
  it('keeps the running jobs and hands over each finished one once', async () => {
    const { view, finished } = await scenario();
    expect(finished).toEqual(['prog', 'b.o', 'a.o', 'd.o', 'c.o']);
    expect(view.finished).toBe(5);
    expect(view.activeJobs().map((job) => job.label)).toEqual(['e.o', 'f.o']);
    expect(view.counts()).toEqual({ running: 1, queued: 1 });
  });

  it('counts busy slots per host and the local ones', async () => {
    const { view } = await scenario();
    const use = view.slotUse();
    expect(Object.fromEntries(use.hosts)).toEqual({ h1: { busy: 0, total: 2 }, h2: { busy: 1, total: 1 } });
    expect(use.cpp).toEqual({ busy: 0, total: 2 });
    expect(use.local).toEqual({ busy: 0, total: 1 });
    expect(view.hosts().map((h) => [h.id, h.state, h.until])).toEqual([
      ['h1', 'backoff', SCENARIO_START + 1050],
      ['h2', 'unknown', null],
    ]);
  });

  it('rebuilds from a snapshot and follows the same events from there', async () => {
    const clock = { now: SCENARIO_START };
    const feed = new EventFeed(() => clock.now);
    const agentView = new LiveView();
    feed.subscribe((event) => void agentView.apply(event));
    let copy: LiveView | null = null;
    let taken = false;
    feed.subscribe((event) => {
      // A monitor that connects in the middle: snapshot after job 2's grant, then the events after it.
      if (!taken && event.type === 'slot-granted') {
        copy = LiveView.from(JSON.parse(JSON.stringify(agentView.snapshot(clock.now))));
        taken = true;
        return;
      }
      copy?.apply(event);
    });
    await runScenario(feed, clock);
    const mine = copy as LiveView | null;
    expect(mine?.snapshot(0)).toEqual(agentView.snapshot(0));
  });
});

describe('renderFrame', () => {
  it('shows the progress line, a row per host and per running job', async () => {
    const { view } = await scenario();
    const lines = renderFrame(view, { now: SCENARIO_START + 1310 });
    expect(lines[0]).toMatch(/^sshcc mon {2}\d\d:\d\d:\d\d {2}finished 5 {2}running 1 {2}queued 1$/);
    expect(lines.slice(1)).toEqual([
      '',
      'HOST             STATE         SLOTS  TOOLCHAIN',
      'h1               retrying      0/2    -',
      'h2               not yet used  1/1    -',
      '(local cpp)      -             0/2    -',
      '(local compile)  -             0/1    -',
      '',
      'JOB  STATE    HOST  ELAPSED  FILE',
      '6    compile  h2    1.0s     e.o',
      '7    queued   -     1.0s     f.o',
    ]);
  });

  it('shows a backoff with the time left, and cuts lines to the terminal', async () => {
    const { view } = await scenario();
    expect(renderFrame(view, { now: SCENARIO_START + 400 })).toContain('h1               backing off (1s)  0/2    -');
    const lines = renderFrame(view, { now: SCENARIO_START + 400, columns: 30, rows: 11 });
    expect(lines).toContain('h1               backing off …');
    expect(lines.every((line) => line.length <= 30)).toBe(true);
    expect(lines.slice(-2)).toEqual(['JOB  STATE  HOST  ELAPSED  FI…', '… and 2 more']);
  });

  it('shows each host\'s last toolchain push: under way, in place with what it sent, or why not', async () => {
    const { view } = await scenario();
    const push = { host: 'h2', pack: 'ac983e49fb33'.padEnd(64, '0'), files: 18, filesSent: null, wireBytes: null, ms: null, message: '' };
    const row = () => renderFrame(view, { now: SCENARIO_START + 1310 }).find((line) => line.startsWith('h2 '));
    view.apply({ type: 'pack', at: SCENARIO_START + 1000, ...push, state: 'pushing' });
    expect(row()).toMatch(/ 1\/1 +pushing ac983e49…$/);
    view.apply({ type: 'pack', at: SCENARIO_START + 1200, ...push, state: 'held', filesSent: 18, wireBytes: 19.9 * 1024 * 1024, ms: 200 });
    expect(row()).toMatch(/ 1\/1 +ac983e49… in place \(19\.9 MiB sent\)$/);
    view.apply({ type: 'pack', at: SCENARIO_START + 1300, ...push, state: 'failed', message: 'no space left for the pack' });
    expect(row()).toMatch(/ac983e49… not pushed: no space left for the pack$/);
    // A snapshot carries it to a monitor that connects later.
    expect(LiveView.from(view.snapshot(SCENARIO_START + 1310)).hosts().find((host) => host.id === 'h2')?.pack).toMatch(/not pushed/);
  });

  it("shows each volunteer's own slots, every client's jobs, once one told them (and a monitor that connects later sees them)", async () => {
    const { view } = await scenario();
    view.apply({ type: 'capacity', at: SCENARIO_START + 1000, host: 'h2', capacity: { cap: 4, busy: 4, waiting: 2, load1: 3.5, cpus: 8 } });
    const lines = renderFrame(view, { now: SCENARIO_START + 1310 });
    expect(lines.slice(2, 7)).toEqual([
      'HOST             STATE         SLOTS  USED THERE (ALL CLIENTS)  TOOLCHAIN',
      'h1               retrying      0/2    -                         -',
      'h2               not yet used  1/1    4/4, 2 queued             -',
      '(local cpp)      -             0/2    -                         -',
      '(local compile)  -             0/1    -                         -',
    ]);
    view.apply({ type: 'capacity', at: SCENARIO_START + 1100, host: 'h2', capacity: { cap: 0, busy: 1, waiting: 0, load1: 3.5, cpus: 8 } });
    expect(renderFrame(LiveView.from(view.snapshot(SCENARIO_START + 1310)), { now: SCENARIO_START + 1310 })[4]).toMatch(/^h2 .* 1\/1 +draining \(1 running\) +-$/);
  });

  it('leaves a host as it was when its hello lists the packs it holds (that is for stats and ping)', async () => {
    const { view } = await scenario();
    const before = view.hosts();
    expect(view.apply({ type: 'packs-held', at: SCENARIO_START + 1000, host: 'h1', packs: ['a'.repeat(64)] })).toBeNull();
    expect(view.hosts()).toEqual(before);
  });

  it.each([
    [860, '0.9s'],
    [59_940, '59.9s'],
    [61_000, '1m01s'],
    [-5, '0.0s'],
  ])('elapsed(%d) = %s', (ms, text) => {
    expect(elapsed(ms)).toBe(text);
  });
});
