import { CLOCK_SKEW_LIMIT_MS, estimateClockSkew, isSkewTooLarge, type ClockSkew } from '@sshcc/core';

describe('estimateClockSkew', () => {
  it.each<[string, number, number, number, ClockSkew]>([
    ['in step: read half way through a 20 ms round trip', 1_000_010, 1_000_000, 1_000_020, { skewMs: 0, uncertaintyMs: 10 }],
    ['the volunteer an hour ahead', 4_600_001, 1_000_000, 1_000_002, { skewMs: 3_600_000, uncertaintyMs: 1 }],
    ['the volunteer 2.5 s behind, over a 50 ms round trip', 997_525, 1_000_000, 1_000_050, { skewMs: -2_500, uncertaintyMs: 25 }],
  ])('%s', (_what, remoteMs, sentAtMs, receivedAtMs, expected) => {
    expect(estimateClockSkew({ remoteMs, sentAtMs, receivedAtMs })).toEqual(expected);
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
