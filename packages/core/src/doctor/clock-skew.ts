// How far a volunteer's clock is from this machine's, from one timestamp it sent. The volunteer reads its
// clock as it writes its hello; the hello then takes one trip to get here. One trip is taken to be half a
// measured round trip on the same channel, so the estimate is off by at most that half (a link that is
// slower one way than the other), which is reported with it.

/**
 * Skew worth a warning. sshcc writes every output on this machine, so make compares only this clock's
 * timestamps and never meets a volunteer's. What a volunteer's clock does reach is `__DATE__`, `__TIME__`
 * and `__TIMESTAMP__`, which cc1 expands there (cpp here leaves them to it), in whole seconds: below a
 * second of skew no object can tell.
 */
export const CLOCK_SKEW_LIMIT_MS = 1000;

export interface ClockSkew {
  /** Volunteer's clock minus this machine's: positive when the volunteer is ahead. */
  readonly skewMs: number;
  /** The estimate is within ± this much (half the round trip). */
  readonly uncertaintyMs: number;
}

export interface ClockSample {
  /** The volunteer's clock as it sent the timestamp (ms since the epoch). */
  readonly remoteMs: number;
  /** This machine's clock when it arrived (ms since the epoch). */
  readonly receivedAtMs: number;
  /** A round trip on the same link (ms). */
  readonly roundTripMs: number;
}

export function estimateClockSkew(sample: ClockSample): ClockSkew {
  const oneWay = sample.roundTripMs / 2;
  return { skewMs: sample.remoteMs + oneWay - sample.receivedAtMs, uncertaintyMs: oneWay };
}

/** Only skew that is past the limit whatever the link's asymmetry: a slow link alone never warns. */
export function isSkewTooLarge(clock: ClockSkew): boolean {
  return Math.abs(clock.skewMs) - clock.uncertaintyMs > CLOCK_SKEW_LIMIT_MS;
}
