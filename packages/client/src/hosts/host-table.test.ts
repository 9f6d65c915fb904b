import { CAPACITY_FRESH_MS, SPEED_STALE_MS, SshccError, UNTRIED } from '@sshcc/core';
import type { CompilerFingerprint } from '@sshcc/protocol';
import { HostTable } from './host-table';

const POLICY = { baseMs: 5_000, maxMs: 20_000 };
const GCC: CompilerFingerprint = { version: '12.2.0', target: 'x86_64-linux-gnu', driver: 'a'.repeat(64), cc1: 'b'.repeat(64), cc1plus: null };
const CLANG: CompilerFingerprint = { version: '14.0.6', target: 'x86_64-pc-linux-gnu', driver: 'c'.repeat(64), cc1: null, cc1plus: null };

function table(clock: { now: number }, ids = ['a', 'b']): { hosts: HostTable; changes: string[] } {
  const hosts = new HostTable(
    ids.map((id) => ({ id, slots: 2 })),
    { now: () => clock.now },
  );
  const changes: string[] = [];
  hosts.subscribe((hostId, state) => changes.push(`${hostId} ${state}`));
  return { hosts, changes };
}

afterEach(() => jest.useRealTimers());

describe('HostTable', () => {
  it('refuses a host listed twice and a slot count that is not a whole number ≥ 1', () => {
    expect(() => new HostTable([{ id: 'a', slots: 1 }, { id: 'a', slots: 2 }])).toThrow(new SshccError('config', 'host "a" is listed twice'));
    expect(() => new HostTable([{ id: 'a', slots: 0.5 }])).toThrow('host "a" must be a whole number of slots of at least 1, not 0.5');
    expect(() => new HostTable([]).get('x')).toThrow('no host "x" in the host table');
  });

  it("fills no more of a host than its volunteer's cap, while the volunteer's word is fresh", () => {
    const clock = { now: 0 };
    const { hosts } = table(clock);
    const slotsOf = (id: string) => hosts.loads().find((load) => load.id === id)?.slots;
    hosts.noteCapacity('a', { cap: 1, busy: 1, waiting: 0, load1: 0, cpus: 1 });
    expect([slotsOf('a'), slotsOf('b')]).toEqual([1, 2]);
    hosts.noteCapacity('b', { cap: 0, busy: 0, waiting: 0, load1: 0, cpus: 1 });
    expect(slotsOf('b')).toBe(0);
    clock.now = CAPACITY_FRESH_MS + 1;
    expect([slotsOf('a'), slotsOf('b')]).toEqual([2, 2]);
    hosts.close();
  });

  it("forgets an idle host's speed once it is stale, so placement times it again; a busy host keeps it", () => {
    const clock = { now: 0 };
    const { hosts } = table(clock);
    hosts.takeSlot('a');
    hosts.releaseSlot('a', { ms: 900 });
    hosts.takeSlot('b');
    hosts.releaseSlot('b', { ms: 300 });
    hosts.takeSlot('b');
    const speedOf = (id: string) => hosts.loads().find((load) => load.id === id)?.speed?.msPerJob;
    clock.now = SPEED_STALE_MS;
    expect([speedOf('a'), speedOf('b')]).toEqual([900, 300]);
    clock.now = SPEED_STALE_MS + 1;
    expect([speedOf('a'), speedOf('b')]).toEqual([undefined, 300]);
    hosts.releaseSlot('b');
    expect(speedOf('b')).toBeUndefined();
    hosts.recordTiming('a', { ms: 400 });
    expect(speedOf('a')).toBe(400);
    hosts.close();
  });

  it('backs a host off for the policy\'s doubling wait, ends the backoff on its clock, and forgives it once up', () => {
    const clock = { now: 1_000 };
    const { hosts, changes } = table(clock);
    const refused = new SshccError('connect', 'connection refused', { hint: 'is sshd running?' });
    expect(hosts.backOff('a', refused, POLICY)).toBe(5_000);
    expect(hosts.get('a')).toMatchObject({ health: 'backoff', queueState: 'backoff', failures: 1, retryAt: 6_000, lastError: refused });
    const error = hosts.backedOffError('a');
    expect([error.code, error.message, error.hint, error.cause]).toEqual(['connect', 'a is backed off for 5 s after: connection refused', 'is sshd running?', refused]);
    clock.now = 5_999;
    expect(hosts.healthNow('a')).toBe('backoff');
    clock.now = 6_000;
    expect(hosts.healthNow('a')).toBe('unknown');
    hosts.startProbe('a');
    expect(hosts.backOff('a', refused, POLICY)).toBe(10_000);
    clock.now = 16_000;
    hosts.startProbe('a');
    expect(hosts.markUp('a')).toBe(true);
    expect(hosts.markUp('a')).toBe(false);
    expect(hosts.get('a')).toMatchObject({ health: 'up', queueState: 'up', failures: 0 });
    expect(changes).toEqual(['a backoff', 'a up', 'a backoff', 'a up']);
    hosts.close();
  });

  it('tells listeners when a backoff ends, with no acquire to notice it', () => {
    jest.useFakeTimers();
    const clock = { now: 0 };
    const { hosts, changes } = table(clock);
    hosts.backOff('a', new SshccError('connect', 'refused'), POLICY);
    clock.now = 5_000;
    jest.advanceTimersByTime(5_000);
    expect(changes).toEqual(['a backoff', 'a up']);
    expect(hosts.get('a').health).toBe('unknown');
    hosts.backOff('a', new SshccError('connect', 'refused'), POLICY);
    hosts.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ends a backoff whose timer fired before the clock reached its end: it waits out the rest', () => {
    jest.useFakeTimers();
    const clock = { now: 0 };
    const { hosts, changes } = table(clock);
    hosts.backOff('a', new SshccError('connect', 'refused'), POLICY);
    // Node times a timer from its loop's cached clock, so it may fire a few ms before Date.now() says.
    clock.now = 4_997;
    jest.advanceTimersByTime(5_000);
    expect(hosts.get('a').health).toBe('backoff');
    clock.now = 5_000;
    jest.advanceTimersByTime(3);
    expect(changes).toEqual(['a backoff', 'a up']);
    expect(hosts.get('a').health).toBe('unknown');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the queue\'s word apart from the pool\'s health: `up` from the queue does not end a pool backoff', () => {
    const clock = { now: 0 };
    const { hosts, changes } = table(clock);
    hosts.setQueueState('a', 'down');
    hosts.setQueueState('a', 'up');
    hosts.backOff('a', new SshccError('connect', 'refused'), POLICY);
    hosts.setQueueState('a', 'up');
    expect(hosts.get('a')).toMatchObject({ health: 'backoff', queueState: 'backoff' });
    hosts.setQueueState('a', 'down');
    clock.now = 5_000;
    expect(hosts.healthNow('a')).toBe('unknown');
    expect(hosts.get('a').queueState).toBe('down');
    hosts.setQueueState('a', 'up');
    expect(changes).toEqual(['a down', 'a up', 'a backoff', 'a down', 'a up']);
    hosts.close();
  });

  it('counts slots and learns speed from timings', () => {
    const { hosts } = table({ now: 0 });
    hosts.takeSlot('a');
    hosts.takeSlot('a');
    hosts.releaseSlot('a', { ms: 300 });
    hosts.recordTiming('b', { ms: 100 });
    expect(hosts.loads()).toEqual([
      { id: 'a', slots: 2, running: 1, state: 'up', speed: expect.objectContaining({ msPerJob: 300 }), local: false },
      { id: 'b', slots: 2, running: 0, state: 'up', speed: expect.objectContaining({ msPerJob: 100 }), local: false },
    ]);
  });

  it('remembers which hosts cannot run a compiler, per compiler, and which packs a host holds', () => {
    const { hosts } = table({ now: 0 }, ['a', 'b', 'c']);
    hosts.markUnfit('a', GCC);
    hosts.markUnfit('c', GCC);
    hosts.markUnfit('b', CLANG);
    const avoid = hosts.unfitFor({ ...GCC });
    expect(avoid).toEqual(new Set(['a', 'c']));
    avoid.add('b'); // the caller's own copy
    expect(hosts.unfitFor(GCC)).toEqual(new Set(['a', 'c']));
    expect(hosts.get('b').unfitCompilers.size).toBe(1);
    hosts.notePacks('b', ['gcc-12-x86_64']);
    expect([hosts.holdsPack('b', 'gcc-12-x86_64'), hosts.holdsPack('a', 'gcc-12-x86_64')]).toEqual([true, false]);
    // A pack pushed to a: it takes gcc's jobs again, and is still unfit for nothing else.
    hosts.clearUnfit('a', GCC);
    expect(hosts.unfitFor(GCC)).toEqual(new Set(['c']));
  });

  it('keeps release trust per host, client compiler and volunteer build: another build there starts untried', () => {
    const { hosts } = table({ now: 0 }, ['a', 'b']);
    const rebuild = { ...GCC, driver: 'd'.repeat(64) };
    hosts.setReleaseTrust('a', GCC, rebuild, { matches: 8, sinceTrusted: 3 });
    expect(hosts.releaseTrust('a', GCC, { ...rebuild })).toEqual({ matches: 8, sinceTrusted: 3 });
    expect(hosts.releaseTrust('a', GCC, { ...rebuild, cc1: 'e'.repeat(64) })).toEqual(UNTRIED);
    expect(hosts.releaseTrust('b', GCC, rebuild)).toEqual(UNTRIED);
    expect(hosts.releaseTrust('a', CLANG, rebuild)).toEqual(UNTRIED);
  });

  it("keeps each host's compiler map as the host list gave it", () => {
    const hosts = new HostTable([{ id: 'arm', slots: 4, compilerMap: [{ client: 'aarch64-linux-gnu-gcc', remote: 'gcc' }] }, { id: 'plain', slots: 2 }]);
    expect(hosts.list().map((host) => [host.id, host.compilerMap])).toEqual([
      ['arm', [{ client: 'aarch64-linux-gnu-gcc', remote: 'gcc' }]],
      ['plain', []],
    ]);
  });

  it("keeps each volunteer's last-known capacity, and tells those who listen each time it is told", () => {
    const clock = { now: 1_000 };
    const { hosts } = table(clock);
    const heard: string[] = [];
    hosts.subscribeCapacity((hostId, capacity) => heard.push(`${hostId} ${capacity.busy}/${capacity.cap}`));
    expect(hosts.get('a').capacity).toBeUndefined();
    hosts.noteCapacity('a', { cap: 4, busy: 1, waiting: 0, load1: 0.5, cpus: 4 });
    clock.now = 2_000;
    hosts.noteCapacity('a', { cap: 4, busy: 4, waiting: 3, load1: 3.9, cpus: 4 });
    expect(hosts.get('a').capacity).toEqual({ at: 2_000, value: { cap: 4, busy: 4, waiting: 3, load1: 3.9, cpus: 4 } });
    expect(hosts.get('b').capacity).toBeUndefined();
    expect(heard).toEqual(['a 1/4', 'a 4/4']);
  });
});
