// When the agent pushes a toolchain pack to a host (again). One push at a time per host and compiler; a
// push that failed (a full disk, a refused entry, a connection lost) is tried again after a wait that
// doubles, so a volunteer whose disk was freed gets the compiler back without an agent restart, and one
// that keeps failing costs a local compile per wait. A push that succeeded is forgotten: should the pack
// be evicted there later, the next job's compiler-missing answer starts a new one.
import { backoffDelayMs, type BackoffPolicy } from '../hosts/backoff-policy';

/** A minute after the first failure, doubling up to an hour: a push moves tens of MiB. */
export const PACK_RETRY: BackoffPolicy = { baseMs: 60_000, maxMs: 3_600_000 };

interface Attempt {
  readonly inFlight: boolean;
  readonly failures: number;
  readonly retryAt: number;
}

export class PushAttempts {
  private readonly attempts = new Map<string, Attempt>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly policy: BackoffPolicy = PACK_RETRY,
  ) {}

  /** Whether a push for `key` may begin now; if so, it is in flight until it succeeds or fails. */
  begin(key: string): boolean {
    const last = this.attempts.get(key);
    if (last !== undefined && (last.inFlight || this.now() < last.retryAt)) return false;
    this.attempts.set(key, { inFlight: true, failures: last?.failures ?? 0, retryAt: 0 });
    return true;
  }

  succeeded(key: string): void {
    this.attempts.delete(key);
  }

  /** The push failed: the ms until another may begin. */
  failed(key: string): number {
    const failures = (this.attempts.get(key)?.failures ?? 0) + 1;
    const wait = backoffDelayMs(failures, this.policy);
    this.attempts.set(key, { inFlight: false, failures, retryAt: this.now() + wait });
    return wait;
  }
}
