import { clearlySooner, expectedFinishMs, overload, queuedLengths, type HostLoad, type VolunteerCapacity } from '.';

const cap = (cap: number, busy: number, waiting: number, load1 = 0, cpus = 4): VolunteerCapacity => ({ cap, busy, waiting, load1, cpus });
const host = (ms: number | undefined, capacity?: VolunteerCapacity): HostLoad => ({
  id: 'h',
  slots: 4,
  running: 0,
  state: 'up',
  speed: ms === undefined ? undefined : { msPerJob: ms, msPerKiB: null, samples: 1 },
  capacity,
});

describe('queuedLengths', () => {
  it.each<[string, VolunteerCapacity | undefined, number]>([
    ['no picture', undefined, 0],
    ['a free slot', cap(4, 2, 0), 0],
    ['the last free slot', cap(4, 3, 0), 0],
    ['full: one job ahead of ours, shared by 4 slots', cap(4, 4, 0), 0.25],
    ['full with 3 waiting', cap(4, 4, 3), 1],
    ['a draining volunteer (cap 0) says nothing usable', cap(0, 0, 0), 0],
  ])('%s', (_name, capacity, expected) => {
    expect(queuedLengths(capacity)).toBe(expected);
  });
});

describe('overload', () => {
  it.each<[string, VolunteerCapacity | undefined, number]>([
    ['no picture', undefined, 1],
    ['idle', cap(4, 0, 0, 0.2, 4), 1],
    ['one task per CPU', cap(4, 0, 0, 4, 4), 1],
    ['twice its CPUs', cap(4, 0, 0, 8, 4), 2],
    ['no CPU count', cap(4, 0, 0, 8, 0), 1],
  ])('%s', (_name, capacity, expected) => {
    expect(overload(capacity)).toBe(expected);
  });
});

describe('expectedFinishMs and clearlySooner', () => {
  it.each<[string, HostLoad, number | undefined]>([
    ['untimed', host(undefined), undefined],
    ['timed, no picture', host(1000), 1000],
    ['full volunteer with 3 waiting: a whole job length more', host(1000, cap(4, 4, 3)), 2000],
    ['overloaded and full', host(1000, cap(4, 4, 3, 8, 4)), 4000],
  ])('%s', (_name, h, expected) => {
    expect(expectedFinishMs(h)).toBe(expected);
  });

  it('goes by size when both the job\'s and the host\'s time per KiB are known', () => {
    const h: HostLoad = { ...host(1000), speed: { msPerJob: 1000, msPerKiB: 20, samples: 2 } };
    expect(expectedFinishMs(h, 200)).toBe(4000);
    expect(expectedFinishMs(h)).toBe(1000);
    expect(expectedFinishMs(host(1000), 200)).toBe(1000);
  });

  it.each<[number, number, boolean]>([
    [1000, 1050, false],
    [1000, 1249, false],
    [1000, 1250, true],
    [1000, 3000, true],
    [3000, 1000, false],
  ])('clearlySooner(%d, %d) is %s', (ms, than, expected) => {
    expect(clearlySooner(ms, than)).toBe(expected);
  });
});
