import { machineLoad, placeCompile, type HostLoad, type HostState, type Placement, type SlotCount } from '.';

const remote = (id: string, slots: number, running: number, state: HostState = 'up', ms?: number): HostLoad => ({
  id,
  slots,
  running,
  state,
  speed: ms === undefined ? undefined : { msPerJob: ms, msPerKiB: null, samples: 3 },
});
const localhost = (slots: number, running: number): HostLoad => ({
  id: 'localhost',
  slots,
  running,
  state: 'up',
  local: true,
});
const slots = (total: number, running: number): SlotCount => ({ slots: total, running });
const none = new Set<string>();

describe('machineLoad', () => {
  it.each<[string, HostLoad[], SlotCount, { capacity: number; running: number }]>([
    ['no localhost entry: --localslots', [remote('a', 4, 4)], slots(2, 1), { capacity: 2, running: 1 }],
    ['a bigger localhost entry raises the cap', [localhost(4, 1)], slots(2, 1), { capacity: 4, running: 2 }],
    ['a smaller localhost entry does not lower it', [localhost(1, 1)], slots(3, 0), { capacity: 3, running: 1 }],
  ])('%s', (_name, hosts, local, expected) => {
    expect(machineLoad(hosts, local)).toEqual(expected);
  });
});

describe('placeCompile', () => {
  it.each<[string, HostLoad[], SlotCount, { avoid?: Set<string>; localOnly?: boolean }, Placement]>([
    ['a free remote host', [remote('a', 4, 1)], slots(2, 0), {}, { kind: 'remote', hostId: 'a' }],
    ['no hosts at all: compile here', [], slots(2, 0), {}, { kind: 'local', hostId: null }],
    ['no hosts and local slots full: wait for local', [], slots(2, 2), {}, { kind: 'wait', for: 'local' }],
    [
      'every host backed off or down: compile here',
      [remote('a', 4, 0, 'backoff'), remote('b', 4, 0, 'down')],
      slots(2, 0),
      {},
      { kind: 'local', hostId: null },
    ],
    [
      'every host avoided: compile here',
      [remote('a', 4, 0), remote('b', 4, 0)],
      slots(2, 1),
      { avoid: new Set(['a', 'b']) },
      { kind: 'local', hostId: null },
    ],
    [
      'remote busy and no localhost entry: wait for hosts though local is idle',
      [remote('a', 2, 2)],
      slots(2, 0),
      {},
      { kind: 'wait', for: 'hosts' },
    ],
    [
      'remote busy, localhost entry free: compile here as that host',
      [remote('a', 2, 2), localhost(2, 0)],
      slots(2, 0),
      {},
      { kind: 'local', hostId: 'localhost' },
    ],
    [
      'localhost entry free but local compile slots taken by fallbacks: wait for hosts',
      [remote('a', 2, 2), localhost(2, 0)],
      slots(2, 2),
      {},
      { kind: 'wait', for: 'hosts' },
    ],
    [
      'local compile slots full: a free remote still takes the job',
      [localhost(2, 0), remote('a', 4, 3)],
      slots(2, 2),
      {},
      { kind: 'remote', hostId: 'a' },
    ],
    [
      'only a localhost entry',
      [localhost(2, 1)],
      slots(2, 0),
      {},
      { kind: 'local', hostId: 'localhost' },
    ],
    [
      'local-only job ignores free remotes',
      [remote('a', 4, 0)],
      slots(2, 0),
      { localOnly: true },
      { kind: 'local', hostId: null },
    ],
    [
      'local-only job waits for a local slot',
      [remote('a', 4, 0)],
      slots(1, 1),
      { localOnly: true },
      { kind: 'wait', for: 'local' },
    ],
    [
      'avoided remote and down remote, localhost entry avoided too: fallback',
      [remote('a', 4, 0), remote('b', 4, 0, 'down'), localhost(2, 0)],
      slots(2, 0),
      { avoid: new Set(['a', 'localhost']) },
      { kind: 'local', hostId: null },
    ],
    [
      'localhost/4 with --localslots=2: the entry may use all 4',
      [remote('a', 2, 2), localhost(4, 3)],
      slots(2, 0),
      {},
      { kind: 'local', hostId: 'localhost' },
    ],
    [
      'localhost/4 with --localslots=2: a local-only job shares the 4',
      [localhost(4, 3)],
      slots(2, 0),
      { localOnly: true },
      { kind: 'local', hostId: null },
    ],
    [
      'the machine at its cap: a local-only job waits though --localslots has room',
      [localhost(4, 4)],
      slots(2, 0),
      { localOnly: true },
      { kind: 'wait', for: 'local' },
    ],
    [
      '--localslots=4 with localhost/2: the entry keeps to its 2',
      [remote('a', 2, 2), localhost(2, 2)],
      slots(4, 0),
      {},
      { kind: 'wait', for: 'hosts' },
    ],
    [
      '--localslots=4 with localhost/2: the entry shares the cap of 4 with fallbacks',
      [remote('a', 2, 2), localhost(2, 1)],
      slots(4, 3),
      {},
      { kind: 'wait', for: 'hosts' },
    ],
  ])('%s', (_name, hosts, local, job, expected) => {
    expect(placeCompile(hosts, local, { avoid: job.avoid ?? none, localOnly: job.localOnly })).toEqual(expected);
  });
});

describe('placeCompile keeps the last jobs off slow hosts', () => {
  // fast: 4 slots, 1000 ms a job, all busy: a slot frees every 250 ms. slow: 3000 ms a job, idle.
  const fastBusy = remote('fast', 4, 4, 'up', 1000);
  const slowIdle = remote('slow', 4, 0, 'up', 3000);
  it.each<[string, HostLoad[], number, Placement]>([
    ['the only job waits for the fast host (back in ~1250 ms, not 3000)', [fastBusy, slowIdle], 0, { kind: 'wait', for: 'hosts' }],
    ['6 jobs ahead: the fast host is ~2750 ms away, still sooner', [fastBusy, slowIdle], 6, { kind: 'wait', for: 'hosts' }],
    ['8 jobs ahead: the slow host is sooner', [fastBusy, slowIdle], 8, { kind: 'remote', hostId: 'slow' }],
    ['a host less than twice as slow is no slow host: a build whose -j matches the slots keeps it busy', [fastBusy, remote('slow', 4, 0, 'up', 1900)], 0, { kind: 'remote', hostId: 'slow' }],
    ['hosts within the margin are equals', [remote('fast', 4, 4, 'up', 1000), remote('b', 4, 0, 'up', 1200)], 0, { kind: 'remote', hostId: 'b' }],
    ['the fast host is down: the slow one takes it', [remote('fast', 4, 4, 'down', 1000), slowIdle], 0, { kind: 'remote', hostId: 'slow' }],
    ['an untimed free host takes it, to be timed', [fastBusy, remote('new', 4, 0)], 0, { kind: 'remote', hostId: 'new' }],
    ['a free fast host, of course', [remote('fast', 4, 3, 'up', 1000), slowIdle], 0, { kind: 'remote', hostId: 'fast' }],
  ])('%s', (_name, hosts, ahead, expected) => {
    expect(placeCompile(hosts, slots(2, 0), { avoid: none }, { ahead })).toEqual(expected);
  });

  it('does not wait for a host the job avoids', () => {
    expect(placeCompile([fastBusy, slowIdle], slots(2, 0), { avoid: new Set(['fast']) })).toEqual({ kind: 'remote', hostId: 'slow' });
  });
});
