import { SshccError } from '@sshcc/core';
import { HostTable } from '../hosts';
import { Scheduler, type CompileGrant, type SchedulerEvent, type SchedulerOptions } from '.';

// Every test runs under fake timers and never advances them: any progress seen here came from a
// released slot or a state change, never from a timer. afterEach checks none was even scheduled.
beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  expect(jest.getTimerCount()).toBe(0);
  jest.useRealTimers();
});

const make = (options: Partial<SchedulerOptions> = {}): Scheduler =>
  new Scheduler({ localCppSlots: 2, localCompileSlots: 2, hosts: [], ...options });
const job = (avoid: string[] = [], localOnly = false) => ({ avoid: new Set(avoid), localOnly });

/** Lets promise continuations run; microtasks only, no timers. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** Watches a promise without awaiting it. */
function track<T>(promise: Promise<T>): { value?: T; error?: unknown } {
  const seen: { value?: T; error?: unknown } = {};
  promise.then(
    (value) => (seen.value = value),
    (error: unknown) => (seen.error = error),
  );
  return seen;
}

const where = (grant: CompileGrant | undefined): string | undefined =>
  grant && (grant.kind === 'remote' ? grant.hostId : `local:${grant.hostId ?? '-'}`);

describe('Scheduler: fairness without polling', () => {
  it.each(['compile', 'cpp'] as const)('serves 100 %s waiters on 3 slots in FIFO order', async (queue) => {
    const s = make({ localCppSlots: 3, hosts: [{ id: 'a', slots: 3 }] });
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    const acquire = async (): Promise<() => void> =>
      queue === 'cpp' ? s.acquireCpp() : (await s.acquireCompile(job())).release;
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const release = await acquire();
        order.push(i);
        peak = Math.max(peak, ++running);
        await Promise.resolve();
        running--;
        release();
      }),
    );
    expect(order).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(s.snapshot().hosts[0]!.running).toBe(0);
    expect(s.snapshot().cpp.running).toBe(0);
  });

  it('hands a released slot to the next waiter at once', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }] });
    const first = await s.acquireCompile(job());
    const second = track(s.acquireCompile(job()));
    await flush();
    expect(second.value).toBeUndefined();
    first.release();
    await flush();
    expect(where(second.value)).toBe('a');
  });

  it('counts a release called twice only once', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }] });
    const first = await s.acquireCompile(job());
    first.release();
    first.release();
    const a = track(s.acquireCompile(job()));
    const b = track(s.acquireCompile(job()));
    await flush();
    expect(where(a.value)).toBe('a');
    expect(b.value).toBeUndefined();
    expect(s.snapshot().hosts[0]!.running).toBe(1);
  });
});

describe('Scheduler: cancellation', () => {
  it('removes an aborted waiter at once; it never receives a slot', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }] });
    const held = await s.acquireCompile(job());
    const controller = new AbortController();
    const first = track(s.acquireCompile(job()));
    const cancelled = track(s.acquireCompile(job(), controller.signal));
    const third = track(s.acquireCompile(job()));
    expect(s.snapshot().compile.waiting).toBe(3);
    controller.abort(new Error('client went away'));
    expect(s.snapshot().compile.waiting).toBe(2);
    await flush();
    expect((cancelled.error as Error).message).toBe('client went away');

    held.release();
    await flush();
    expect(where(first.value)).toBe('a');
    first.value!.release();
    await flush();
    expect(where(third.value)).toBe('a');
    expect(cancelled.value).toBeUndefined();
    expect(s.snapshot().compile.waiting).toBe(0);
    expect(s.snapshot().hosts[0]!.running).toBe(1);
  });

  it('rejects at once for an already aborted signal and queues nothing', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }] });
    const signal = AbortSignal.abort(new Error('too late'));
    await expect(s.acquireCompile(job(), signal)).rejects.toThrow('too late');
    await expect(s.acquireCpp(signal)).rejects.toThrow('too late');
    expect(s.snapshot()).toMatchObject({ compile: { waiting: 0 }, cpp: { running: 0, waiting: 0 } });
    expect(s.snapshot().hosts[0]!.running).toBe(0);
  });

  it('an abort after the grant leaves the slot with the caller', async () => {
    const s = make({ localCppSlots: 1 });
    const controller = new AbortController();
    const release = await s.acquireCpp(controller.signal);
    controller.abort();
    expect(s.snapshot().cpp.running).toBe(1);
    release();
    expect(s.snapshot().cpp.running).toBe(0);
  });

  it('cancels a cpp waiter the same way', async () => {
    const s = make({ localCppSlots: 1 });
    const held = await s.acquireCpp();
    const controller = new AbortController();
    const cancelled = track(s.acquireCpp(controller.signal));
    const next = track(s.acquireCpp());
    controller.abort();
    held();
    await flush();
    expect(cancelled.error).toBeDefined();
    expect(typeof next.value).toBe('function');
    expect(s.snapshot().cpp).toEqual({ slots: 1, running: 1, waiting: 0 });
  });
});

describe('Scheduler: host state', () => {
  it('a host going down keeps its running jobs; new acquisitions skip it', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 2 }, { id: 'b', slots: 2 }] });
    const onA = await s.acquireCompile(job());
    expect(where(onA)).toBe('a');
    s.setHostState('a', 'down');
    expect(s.snapshot().hosts.find((h) => h.id === 'a')).toMatchObject({ running: 1, state: 'down' });
    const next = [await s.acquireCompile(job()), await s.acquireCompile(job())];
    expect(next.map(where)).toEqual(['b', 'b']);
    const waiting = track(s.acquireCompile(job()));
    onA.release();
    await flush();
    expect(waiting.value).toBeUndefined(); // a's freed slot is not usable while a is down
    next[0]!.release();
    await flush();
    expect(where(waiting.value)).toBe('b');
  });

  it('waiters fall back to a local slot when the last usable host goes away', async () => {
    const s = make({ localCompileSlots: 1, hosts: [{ id: 'a', slots: 1 }] });
    await s.acquireCompile(job());
    const waiting = track(s.acquireCompile(job()));
    await flush();
    expect(waiting.value).toBeUndefined(); // a is busy, not gone: wait for it
    s.setHostState('a', 'backoff');
    await flush();
    expect(where(waiting.value)).toBe('local:-');
  });

  it('a host coming back up wakes the waiters', async () => {
    const s = make({ localCompileSlots: 1, hosts: [{ id: 'a', slots: 2 }] });
    s.setHostState('a', 'down');
    const fallback = await s.acquireCompile(job());
    expect(where(fallback)).toBe('local:-');
    const w1 = track(s.acquireCompile(job()));
    const w2 = track(s.acquireCompile(job()));
    await flush();
    expect(w1.value).toBeUndefined();
    s.setHostState('a', 'up');
    await flush();
    expect([where(w1.value), where(w2.value)]).toEqual(['a', 'a']);
  });

  it('rejects an unknown host id', () => {
    expect(() => make().setHostState('nope', 'up')).toThrow('scheduler: unknown host "nope"');
  });

  it('re-places waiters when a pool sharing its HostTable backs a host off, and again when the backoff ends', async () => {
    const clock = { now: 0 };
    const hosts = new HostTable([{ id: 'a', slots: 1 }], { now: () => clock.now });
    const s = make({ localCompileSlots: 1, hosts });
    const states: string[] = [];
    s.subscribe((e) => void (e.type === 'host-state' && states.push(e.state)));
    const onA = await s.acquireCompile(job());
    const waiting = track(s.acquireCompile(job()));
    hosts.backOff('a', new SshccError('connect', 'refused'), { baseMs: 5_000, maxMs: 5_000 }); // as the pool does
    await flush();
    expect(where(waiting.value)).toBe('local:-');
    onA.release();
    const next = track(s.acquireCompile(job()));
    await flush();
    expect(next.value).toBeUndefined(); // the local slot is taken, a is backed off
    clock.now = 5_000;
    jest.advanceTimersByTime(5_000); // the table's wake-up at the backoff's end; nothing polled
    await flush();
    expect(where(next.value)).toBe('a');
    expect(states).toEqual(['backoff', 'up']);
    expect(s.hosts).toBe(hosts);
  });
});

describe('Scheduler: avoid sets and local slots', () => {
  it('never places a job on a host it avoids, and does not block later jobs behind it', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }, { id: 'b', slots: 1 }] });
    const onB = await s.acquireCompile(job(['a']));
    expect(where(onB)).toBe('b');
    const avoidsA = track(s.acquireCompile(job(['a'])));
    const anyHost = track(s.acquireCompile(job()));
    await flush();
    expect(avoidsA.value).toBeUndefined();
    expect(where(anyHost.value)).toBe('a');
    onB.release();
    await flush();
    expect(where(avoidsA.value)).toBe('b');
  });

  it('reads the avoid set live: a host added while waiting is skipped', async () => {
    const s = make({ localCompileSlots: 1, hosts: [{ id: 'a', slots: 1 }] });
    const held = await s.acquireCompile(job());
    const needs = job();
    const waiting = track(s.acquireCompile(needs));
    needs.avoid.add('a'); // e.g. a answered compiler-missing for this job's compiler
    held.release();
    await flush();
    expect(where(waiting.value)).toBe('local:-');
  });

  it('with localhost/2 this machine compiles too, sharing one cap with --localslots', async () => {
    const s = make({
      localCompileSlots: 2,
      hosts: [{ id: 'r', slots: 2 }, { id: 'localhost', slots: 2, local: true }],
    });
    const grants = await Promise.all([1, 2, 3, 4].map(() => s.acquireCompile(job())));
    expect(grants.map(where).sort()).toEqual(['local:localhost', 'local:localhost', 'r', 'r']);
    const fifth = track(s.acquireCompile(job()));
    const localOnly = track(s.acquireCompile(job([], true)));
    await flush();
    expect(fifth.value).toBeUndefined();
    expect(localOnly.value).toBeUndefined();
    expect(s.snapshot().machine).toEqual({ capacity: 2, running: 2 });
    expect(s.snapshot().local).toEqual({ slots: 2, running: 0 });
    grants.find((g) => g.hostId === 'localhost')!.release();
    await flush();
    expect(where(fifth.value)).toBe('local:localhost'); // FIFO: the older waiter gets the local slot
    expect(localOnly.value).toBeUndefined();
  });

  it('localhost/1 leaves the rest of --localslots to local-only jobs', async () => {
    const s = make({ localCompileSlots: 3, hosts: [{ id: 'localhost', slots: 1, local: true }] });
    expect(where(await s.acquireCompile(job()))).toBe('local:localhost');
    const queued = track(s.acquireCompile(job()));
    const localOnly = [track(s.acquireCompile(job([], true))), track(s.acquireCompile(job([], true)))];
    const third = track(s.acquireCompile(job([], true)));
    await flush();
    expect(queued.value).toBeUndefined(); // the entry's one slot is taken
    expect(localOnly.map((g) => where(g.value))).toEqual(['local:-', 'local:-']);
    expect(third.value).toBeUndefined(); // 3 compilers here: the machine's cap
    expect(s.snapshot().machine).toEqual({ capacity: 3, running: 3 });
  });

  it('without a localhost entry, busy hosts are waited for even with local slots idle', async () => {
    const s = make({ localCompileSlots: 2, hosts: [{ id: 'r', slots: 1 }] });
    await s.acquireCompile(job());
    const waiting = track(s.acquireCompile(job()));
    const localOnly = track(s.acquireCompile(job([], true)));
    await flush();
    expect(waiting.value).toBeUndefined();
    expect(where(localOnly.value)).toBe('local:-');
  });

  it('preprocessing is never starved by compiles', async () => {
    const s = make({ localCppSlots: 1, localCompileSlots: 1 });
    await s.acquireCompile(job());
    const blocked = Array.from({ length: 5 }, () => track(s.acquireCompile(job())));
    await flush();
    expect(blocked.every((b) => b.value === undefined)).toBe(true);
    const cpp = track(s.acquireCpp());
    await flush();
    expect(typeof cpp.value).toBe('function');
  });
});

describe('Scheduler: speed and ties', () => {
  it('learns speed from released timings and prefers the faster idle host', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }, { id: 'b', slots: 1 }] });
    const first = await s.acquireCompile(job());
    const second = await s.acquireCompile(job());
    expect([where(first), where(second)]).toEqual(['a', 'b']);
    first.release({ ms: 900, bytes: 4096 });
    second.release({ ms: 300, bytes: 4096 });
    expect(where(await s.acquireCompile(job()))).toBe('b');
    expect(s.snapshot().hosts.map((h) => h.speed?.msPerKiB)).toEqual([225, 75]);
  });

  it('recordTiming feeds the same estimate', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }, { id: 'b', slots: 1 }] });
    s.recordTiming('a', 500);
    s.recordTiming('b', 100);
    expect(where(await s.acquireCompile(job()))).toBe('b');
    expect(s.snapshot().hosts.map((h) => h.speed?.msPerJob)).toEqual([500, 100]);
  });

  it('--randomize shuffles hosts that tie', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }, { id: 'b', slots: 1 }], rng: () => 0.99 });
    expect(where(await s.acquireCompile(job()))).toBe('b');
  });
});

describe('Scheduler: monitor feed and config', () => {
  it('reports every change as an event and survives a throwing listener', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }] });
    const events: SchedulerEvent[] = [];
    s.subscribe(() => {
      throw new Error('monitor bug');
    });
    const unsubscribe = s.subscribe((e) => events.push(e));
    const grant = await s.acquireCompile(job());
    s.setHostState('a', 'backoff');
    grant.release();
    await flush();
    unsubscribe();
    s.setHostState('a', 'up');
    expect(events).toEqual([
      { type: 'queued', queue: 'compile' },
      { type: 'granted', slot: 'remote', hostId: 'a' },
      { type: 'host-state', hostId: 'a', state: 'backoff' },
      { type: 'released', slot: 'remote', hostId: 'a' },
    ]);
  });

  it.each<[string, Partial<SchedulerOptions>, string]>([
    ['zero cpp slots', { localCppSlots: 0 }, '--localslots_cpp must be a whole number of slots of at least 1, not 0'],
    ['fractional local slots', { localCompileSlots: 1.5 }, '--localslots must be a whole number of slots of at least 1, not 1.5'],
    ['a host without slots', { hosts: [{ id: 'h', slots: 0 }] }, 'host "h" must be a whole number of slots of at least 1, not 0'],
    ['a duplicate host', { hosts: [{ id: 'h', slots: 1 }, { id: 'h', slots: 2 }] }, 'host "h" is listed twice'],
  ])('refuses %s', (_name, options, message) => {
    let thrown: unknown;
    try {
      make(options);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SshccError);
    expect((thrown as SshccError).code).toBe('config');
    expect((thrown as SshccError).message).toBe(message);
  });
});

describe('Scheduler: load-aware placement', () => {
  /** fast: 2 slots at 1000 ms a job; slow: 2 slots at 3000 ms. */
  const timed = (): Scheduler => {
    const s = make({ hosts: [{ id: 'fast', slots: 2 }, { id: 'slow', slots: 2 }] });
    s.recordTiming('fast', 1000);
    s.recordTiming('slow', 3000);
    return s;
  };

  it('keeps the tail of the queue for the fast host, and fills the slow one while the queue is long', async () => {
    const s = timed();
    const grants = Array.from({ length: 6 }, () => track(s.acquireCompile(job())));
    await flush();
    // Two go to the fast host. Third and fourth: 1 and 2 jobs... the fast host frees a slot every 500 ms;
    // the third is back in ~1500 ms there, before the slow host's 3000; the fourth in ~2000, the fifth ~2500,
    // the sixth ~3000: no longer sooner, so the slow host takes it.
    expect(grants.map((g) => where(g.value))).toEqual(['fast', 'fast', undefined, undefined, undefined, 'slow']);
    grants[0]!.value!.release();
    await flush();
    expect(where(grants[2]!.value)).toBe('fast');
    for (const g of grants) g.value?.release();
  });

  it('sends a job to the slow host once the fast one is backed off', async () => {
    const s = timed();
    const held = [await s.acquireCompile(job()), await s.acquireCompile(job())];
    const waiting = track(s.acquireCompile(job()));
    await flush();
    expect(waiting.value).toBeUndefined();
    s.setHostState('fast', 'backoff');
    await flush();
    expect(where(waiting.value)).toBe('slow');
    for (const g of [...held, waiting.value!]) g.release();
  });

  it('weighs what a volunteer says of its load: a full one is passed over', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 4 }, { id: 'b', slots: 4 }] });
    s.recordTiming('a', 1000);
    s.recordTiming('b', 1100);
    s.hosts.noteCapacity('a', { cap: 4, busy: 4, waiting: 8, load1: 4, cpus: 4 });
    const grant = await s.acquireCompile(job());
    expect(where(grant)).toBe('b');
    grant.release();
  });
});

describe('Scheduler: straggler duplication', () => {
  const timed = (now: () => number): Scheduler => {
    const s = make({ hosts: [{ id: 'fast', slots: 1 }, { id: 'slow', slots: 1 }], now });
    s.recordTiming('fast', 1000);
    s.recordTiming('slow', 5000);
    return s;
  };

  it('offers the fast host\'s freed slot to the job on the slow host, once, when nothing waits', async () => {
    let clock = 0;
    const s = timed(() => clock);
    const onFast = await s.acquireCompile(job());
    s.setHostState('fast', 'down');
    const onSlow = await s.acquireCompile(job());
    s.setHostState('fast', 'up');
    expect([where(onFast), where(onSlow)]).toEqual(['fast', 'slow']);
    const seconds: string[] = [];
    const withdraw = s.offerDuplicate({ hostId: 'slow', startedAt: 0, avoid: new Set() }, (grant) => seconds.push(grant.hostId));
    expect(seconds).toEqual([]);
    clock = 500;
    onFast.release({ ms: 1000 });
    expect(seconds).toEqual(['fast']);
    expect(s.snapshot().hosts.map((h) => h.running)).toEqual([1, 1]);
    withdraw();
    onSlow.release();
  });

  it('gives a waiting job the slot, not a second run', async () => {
    const s = timed(() => 500);
    const onFast = await s.acquireCompile(job());
    s.setHostState('fast', 'down');
    const onSlow = await s.acquireCompile(job());
    s.setHostState('fast', 'up');
    const seconds: string[] = [];
    s.offerDuplicate({ hostId: 'slow', startedAt: 0, avoid: new Set() }, (grant) => seconds.push(grant.hostId));
    const next = track(s.acquireCompile(job()));
    onFast.release();
    await flush();
    expect(where(next.value)).toBe('fast');
    expect(where(onSlow)).toBe('slow');
    expect(seconds).toEqual([]);
    next.value!.release();
    expect(seconds).toEqual(['fast']);
  });

  it('never offers a withdrawn job, nor one whose host is not clearly slower', async () => {
    const s = make({ hosts: [{ id: 'a', slots: 1 }, { id: 'b', slots: 1 }], now: () => 0 });
    s.recordTiming('a', 1000);
    s.recordTiming('b', 1100);
    const onA = await s.acquireCompile(job());
    const seconds: string[] = [];
    const withdrawFirst = s.offerDuplicate({ hostId: 'a', startedAt: 0, avoid: new Set() }, (grant) => seconds.push(grant.hostId));
    expect(seconds).toEqual([]);
    withdrawFirst();
    s.recordTiming('b', 100);
    s.recordTiming('b', 100);
    // b is clearly faster now, but the one job offered avoids it.
    s.offerDuplicate({ hostId: 'a', startedAt: 0, avoid: new Set(['b']) }, (grant) => seconds.push(grant.hostId));
    onA.release();
    expect(seconds).toEqual([]);
  });
});
