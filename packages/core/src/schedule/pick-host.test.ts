import { pickHost, type HostLoad, type HostState, type SpeedEstimate, type VolunteerCapacity } from '.';

const host = (
  id: string,
  slots: number,
  running: number,
  more: { state?: HostState; ms?: number; local?: boolean; capacity?: VolunteerCapacity } = {},
): HostLoad => ({
  id,
  slots,
  running,
  state: more.state ?? 'up',
  speed: more.ms === undefined ? undefined : ({ msPerJob: more.ms, msPerKiB: null, samples: 1 } as SpeedEstimate),
  local: more.local,
  capacity: more.capacity,
});
const cap = (cap: number, busy: number, waiting: number, load1 = 0, cpus = 8): VolunteerCapacity => ({ cap, busy, waiting, load1, cpus });
const none = new Set<string>();

describe('pickHost', () => {
  it.each<[string, HostLoad[], ReadonlySet<string>, string | null]>([
    ['no hosts', [], none, null],
    ['idle hosts: list order', [host('a', 4, 0), host('b', 4, 0)], none, 'a'],
    ['fewest running per slot', [host('a', 4, 2), host('b', 4, 1)], none, 'b'],
    ['load is relative to slots', [host('a', 2, 1), host('b', 8, 2)], none, 'b'],
    ['a full host is skipped', [host('a', 4, 4), host('b', 4, 3)], none, 'b'],
    ['every host full', [host('a', 2, 2), host('b', 1, 1)], none, null],
    ['a backed-off host is skipped', [host('a', 4, 0, { state: 'backoff' }), host('b', 4, 3)], none, 'b'],
    ['a down host is skipped', [host('a', 4, 0, { state: 'down' }), host('b', 4, 3)], none, 'b'],
    ['only unusable hosts', [host('a', 4, 0, { state: 'down' }), host('b', 4, 0, { state: 'backoff' })], none, null],
    ['an avoided host is skipped', [host('a', 4, 0), host('b', 4, 3)], new Set(['a']), 'b'],
    ['every host avoided', [host('a', 4, 0), host('b', 4, 0)], new Set(['a', 'b']), null],
    ['a zero-slot host is skipped', [host('a', 0, 0), host('b', 4, 1)], none, 'b'],
    ['equal load: the faster host', [host('a', 4, 1, { ms: 300 }), host('b', 4, 1, { ms: 100 })], none, 'b'],
    ['equal load: an unmeasured host first', [host('a', 4, 1, { ms: 100 }), host('b', 4, 1)], none, 'b'],
    ['the host that finishes first beats load', [host('a', 4, 2, { ms: 10 }), host('b', 4, 1, { ms: 900 })], none, 'a'],
    ['times within a tier: load decides', [host('a', 4, 2, { ms: 100 }), host('b', 4, 1, { ms: 110 })], none, 'b'],
    ['times within a tier and equal load: the faster', [host('a', 4, 1, { ms: 110 }), host('b', 4, 1, { ms: 100 })], none, 'b'],
    ['a volunteer full of other clients\' jobs finishes later', [host('a', 4, 0, { ms: 100, capacity: cap(4, 4, 4) }), host('b', 4, 1, { ms: 150 })], none, 'b'],
    ['a volunteer with free slots is not held back by them', [host('a', 4, 0, { ms: 100, capacity: cap(8, 3, 0) }), host('b', 4, 0, { ms: 150 })], none, 'a'],
    ['an overloaded volunteer (load1 over its CPUs) finishes later', [host('a', 4, 0, { ms: 100, capacity: cap(8, 0, 0, 24, 8) }), host('b', 4, 0, { ms: 150 })], none, 'b'],
    ['no picture of the volunteer: measured speed alone', [host('a', 4, 0, { ms: 100 }), host('b', 4, 0, { ms: 150, capacity: cap(8, 0, 0, 2, 8) })], none, 'a'],
    ['equal load and speed: remote before local', [host('l', 2, 0, { local: true }), host('r', 4, 0)], none, 'r'],
    ['the local entry when it is less loaded', [host('l', 2, 0, { local: true }), host('r', 4, 1)], none, 'l'],
  ])('%s', (_name, hosts, avoid, expected) => {
    expect(pickHost(hosts, { avoid })).toBe(expected);
  });

  it('--randomize picks among full ties only', () => {
    const hosts = [host('a', 4, 1), host('b', 4, 0), host('c', 4, 0), host('d', 8, 0)];
    expect(pickHost(hosts, { avoid: none }, () => 0)).toBe('b');
    expect(pickHost(hosts, { avoid: none }, () => 0.5)).toBe('c');
    expect(pickHost(hosts, { avoid: none }, () => 0.999)).toBe('d');
    // A tie-free winner is never shuffled away.
    expect(pickHost([host('a', 4, 0), host('b', 4, 1)], { avoid: none }, () => 0.999)).toBe('a');
  });

  it('--randomize spreads ties evenly', () => {
    const hosts = [host('a', 4, 0), host('b', 4, 0), host('c', 4, 0)];
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const id = pickHost(hosts, { avoid: none }, () => i / 300)!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 100, b: 100, c: 100 });
  });
});
