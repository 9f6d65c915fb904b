// How long a failed host is left alone before it is probed again. distcc waits a flat 60 s
// (DISTCC_BACKOFF_PERIOD); sshcc starts shorter because a probe is cheap here (one connect + handshake,
// ~100 ms, off the job's path), and doubles so a host that stays down costs almost nothing.

export interface BackoffPolicy {
  /** Wait after the first failure. */
  readonly baseMs: number;
  /** The wait never grows beyond this. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 300_000 };

/** The wait after `failures` consecutive failures (1 = the first): base, 2×base, 4×base … capped at max. */
export function backoffDelayMs(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures < 1) return 0;
  // 2^(failures-1) overflows to Infinity long before it matters; min() caps it either way.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** (failures - 1));
}

/**
 * The policy with SSHCC_BACKOFF_MS (a whole number of ms ≥ 1) as the first wait: tests and people
 * watching a flaky host want it short. Unset or not a number: the default.
 */
export function backoffPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): BackoffPolicy {
  const value = env.SSHCC_BACKOFF_MS;
  if (value === undefined || !/^[1-9]\d{0,8}$/.test(value)) return DEFAULT_BACKOFF;
  const baseMs = Number(value);
  return { baseMs, maxMs: Math.max(baseMs, DEFAULT_BACKOFF.maxMs) };
}
