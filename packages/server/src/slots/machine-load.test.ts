import { LOAD_FRESH_MS, machineLoadReader } from './machine-load';

test.each([
  ['the first time', [0], 1],
  ['within the freshness window', [0, 10, LOAD_FRESH_MS - 1], 1],
  ['once the window has passed', [0, LOAD_FRESH_MS, LOAD_FRESH_MS + 5], 2],
  ['after a clock that went back', [5000, 100], 2],
])('reads the machine %s', (_when, times, reads) => {
  let count = 0;
  const load = machineLoadReader(() => ({ load1: ++count, cpus: 4 }));
  const seen = times.map((now) => load(now).load1);
  expect(count).toBe(reads);
  expect(seen.at(-1)).toBe(reads);
});
