// How far a volunteer's clock is from this machine's, from one timestamp it sent (Cristian's method). The
// volunteer read its clock after this machine sent the request that made it answer and before the answer
// arrived here, so its reading belongs somewhere in that round trip: the estimate takes the middle, and
// is off by at most half the round trip, which is reported with it. The bounds hold however late this
// machine noticed the answer (a busy event loop only widens them), so a warning is never a false one.

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
  /** The true skew is within ± this much of the estimate (half the round trip). */
  readonly uncertaintyMs: number;
}

export interface ClockSample {
  /** The volunteer's clock as it sent the timestamp (ms since the epoch). */
  readonly remoteMs: number;
  /** This machine's clock before the request that made the volunteer answer left (ms since the epoch). */
  readonly sentAtMs: number;
  /** This machine's clock once the answer had arrived (ms since the epoch). */
  readonly receivedAtMs: number;
}

export function estimateClockSkew(sample: ClockSample): ClockSkew {
  const halfTrip = (sample.receivedAtMs - sample.sentAtMs) / 2;
  return { skewMs: sample.remoteMs - (sample.sentAtMs + halfTrip), uncertaintyMs: halfTrip };
}

/** Only skew past the limit wherever in its bounds the truth lies: a slow link alone never warns. */
export function isSkewTooLarge(clock: ClockSkew): boolean {
  return Math.abs(clock.skewMs) - clock.uncertaintyMs > CLOCK_SKEW_LIMIT_MS;
}
