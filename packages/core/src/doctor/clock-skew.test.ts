import { CLOCK_SKEW_LIMIT_MS, estimateClockSkew, isSkewTooLarge, type ClockSkew } from '@sshcc/core';

describe('estimateClockSkew', () => {
  it.each<[string, number, number, number, ClockSkew]>([
    ['in step: the hello left half a round trip before it arrived', 1_000_000, 1_000_010, 20, { skewMs: 0, uncertaintyMs: 10 }],
    ['the volunteer an hour ahead', 4_600_000, 1_000_000, 2, { skewMs: 3_600_001, uncertaintyMs: 1 }],
    ['the volunteer 2.5 s behind, over a 50 ms link', 997_525, 1_000_000, 50, { skewMs: -2_450, uncertaintyMs: 25 }],
  ])('%s', (_what, remoteMs, receivedAtMs, roundTripMs, expected) => {
    expect(estimateClockSkew({ remoteMs, receivedAtMs, roundTripMs })).toEqual(expected);
  });
});

describe('isSkewTooLarge', () => {
  it.each<[string, ClockSkew, boolean]>([
    ['well inside the limit', { skewMs: 300, uncertaintyMs: 1 }, false],
    ['just past it, measured precisely', { skewMs: CLOCK_SKEW_LIMIT_MS + 2, uncertaintyMs: 1 }, true],
    ['past it behind as ahead', { skewMs: -(CLOCK_SKEW_LIMIT_MS + 2), uncertaintyMs: 1 }, true],
    ['past it only within the link\'s uncertainty: not a warning', { skewMs: CLOCK_SKEW_LIMIT_MS + 200, uncertaintyMs: 300 }, false],
  ])('%s', (_what, clock, expected) => {
    expect(isSkewTooLarge(clock)).toBe(expected);
  });
});
