import { CAPACITY_FRESH_MS, effectiveSlots, freshCapacity, type VolunteerCapacity } from '.';

const said = (cap: number): VolunteerCapacity => ({ cap, busy: 0, waiting: 0, load1: 0, cpus: 2 });

describe('freshCapacity', () => {
  it.each<[string, number, VolunteerCapacity | undefined]>([
    ['just said', 0, said(2)],
    ['at the limit', CAPACITY_FRESH_MS, said(2)],
    ['older: forgotten until the volunteer speaks again', CAPACITY_FRESH_MS + 1, undefined],
  ])('%s', (_name, age, expected) => {
    expect(freshCapacity({ at: 1_000, value: said(2) }, 1_000 + age)).toEqual(expected);
    expect(freshCapacity(undefined, age)).toBeUndefined();
  });
});

describe('effectiveSlots', () => {
  it.each<[string, number, VolunteerCapacity | undefined, number]>([
    ['no word from the volunteer: the host list\'s /N', 4, undefined, 4],
    ['a cap below /N: the cap (more would be declined busy)', 4, said(2), 2],
    ['a cap above /N: /N, this agent\'s own limit', 4, said(16), 4],
    ['draining: none', 4, said(0), 0],
  ])('%s', (_name, listed, capacity, expected) => {
    expect(effectiveSlots(listed, capacity)).toBe(expected);
  });
});
