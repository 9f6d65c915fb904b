// How far the agent trusts a volunteer's compiler that is another build of the client's release (the
// host option `,map=`): the same version line and target, other binaries. Nothing about its bytes says
// it gives the client's object, so only objects compared here do: every job of it is verified until
// RELEASE_PROBATION of them in a row have matched; after that a share stays verified for as long as it
// runs, since it can change under the same fingerprint no more than an exact match can, but it was
// never proven identical. One mismatch ends it (the host is then unfit for the compiler; see
// DEPARTURES' `verify-mismatch`).
import { isSampled } from './verify-rate';

/** Matching objects, in a row, before a release match is verified only in part. */
export const RELEASE_PROBATION = 8;
/** After probation, at least this share of its jobs stays verified, whatever SSHCC_VERIFY says. */
export const RELEASE_MIN_VERIFY_RATE = 1 / 16;

/** The evidence so far for one host's compiler (the client's and the volunteer's fingerprints). */
export interface ReleaseTrust {
  /** Verified objects that matched, in a row (a mismatch is never followed by more jobs). */
  readonly matches: number;
  /** Jobs answered since probation ended: the sampler's count. */
  readonly sinceTrusted: number;
}

export const UNTRIED: ReleaseTrust = { matches: 0, sinceTrusted: 0 };

export interface ReleaseDecision {
  readonly verify: boolean;
  /** The trust to keep, this job counted. */
  readonly trust: ReleaseTrust;
}

/**
 * Whether a release-matched answer is verified here. Decided when the answer arrives, so jobs already
 * running when probation ends are verified too (more checks than needed, never fewer). After probation,
 * counted like SSHCC_VERIFY's sampler at `rate` or RELEASE_MIN_VERIFY_RATE, whichever is higher.
 */
export function decideReleaseVerify(trust: ReleaseTrust, rate: number): ReleaseDecision {
  if (trust.matches < RELEASE_PROBATION) return { verify: true, trust };
  const sinceTrusted = trust.sinceTrusted + 1;
  return { verify: isSampled(sinceTrusted, Math.max(rate, RELEASE_MIN_VERIFY_RATE)), trust: { ...trust, sinceTrusted } };
}

/**
 * The trust after a verification's verdict. `unverified` (this machine could not compile it) is no
 * evidence either way: it neither counts nor breaks the run. A mismatch starts over (the host is unfit
 * for the compiler from then on anyway; should it ever be offered the compiler again, it is untried).
 */
export function afterReleaseVerdict(trust: ReleaseTrust, verdict: 'match' | 'mismatch' | 'unverified'): ReleaseTrust {
  if (verdict === 'mismatch') return UNTRIED;
  if (verdict === 'unverified') return trust;
  return { ...trust, matches: trust.matches + 1 };
}
