// Sampled verification (icecream's ICECC_REPEAT_RATE): a share of remote jobs is compiled here too and
// the objects compared. The share comes from the build (SSHCC_VERIFY) or the client's config file.
import { SshccError } from '../errors/sshcc-error';

const HINT = 'a fraction from 0 to 1: 0.05 verifies one remote job in 20, 1 every one, 0 none';

/**
 * A share of remote jobs to verify, as written (`0.05`, `1`, `0`, `.5`): a decimal number in [0, 1].
 * `where` names the setting in the error (`SSHCC_VERIFY`, `~/.sshcc/config.json: verify`).
 * Throws a 'config' SshccError for anything else: a setting the user asked for is never guessed at.
 */
export function parseVerifyRate(text: string, where: string): number {
  const trimmed = text.trim();
  // Number() alone would take '', '0x1', '1e-1' and ' '; a fraction is written in plain decimals.
  const rate = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  return checkVerifyRate(rate, `${where}=${text}`);
}

/** A share already read as a number (from JSON); the same bounds and error as parseVerifyRate. */
export function checkVerifyRate(rate: number, shown: string): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new SshccError('config', `${shown}: not a fraction from 0 to 1`, { hint: HINT });
  return rate;
}

/**
 * Whether the `n`th remote job (1-based) is verified at `rate`: the job at which the running total of
 * `rate` passes a whole number. So 1 verifies every job, 0 none, 0.25 the 4th, 8th, 12th…, and any
 * n jobs verify floor(n × rate) of them, spread evenly; counting, not chance, so tests can say which.
 */
export function isSampled(n: number, rate: number): boolean {
  if (rate <= 0 || n < 1) return false;
  if (rate >= 1) return true;
  return Math.floor(n * rate + EPSILON) > Math.floor((n - 1) * rate + EPSILON);
}

// 0.1 × 10 may come out a hair under 1 in binary; the tenth job must still be the one verified.
const EPSILON = 1e-9;

/** Counts a configuration's remote jobs and says which to verify. */
export class VerifySampler {
  private count = 0;

  /** Counts one remote job; true when it is to be verified at `rate` (the build's setting, which may change). */
  next(rate: number): boolean {
    this.count += 1;
    return isSampled(this.count, rate);
  }
}

/** `sshcc explain`'s words for a rate: what share of remote jobs is compiled here too. */
export function describeVerifyRate(rate: number): string {
  if (rate <= 0) return 'off';
  if (rate >= 1) return 'every remote job';
  const every = 1 / rate;
  return Number.isInteger(Math.round(every * 1e6) / 1e6) ? `1 remote job in ${Math.round(every)}` : `${+(rate * 100).toFixed(3)} % of remote jobs`;
}
