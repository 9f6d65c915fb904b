// How fast a host compiles, learned from its recent jobs. An exponentially weighted mean follows a
// host whose load changes (another user starts a build there) without forgetting it after one outlier.

/** Weight of the newest sample; 0.3 means roughly the last five jobs dominate the estimate. */
export const SPEED_SAMPLE_WEIGHT = 0.3;

export interface SpeedEstimate {
  /** Weighted mean wall time of one job, in milliseconds. */
  readonly msPerJob: number;
  /** Weighted mean milliseconds per KiB of (preprocessed) input; null until a sample carried a size. */
  readonly msPerKiB: number | null;
  readonly samples: number;
}

export interface JobTiming {
  /** Wall time from handing the job to the host until its result was back, in milliseconds. */
  readonly ms: number;
  /** Size of the job's input in bytes, when known: makes big and small jobs comparable. */
  readonly bytes?: number | undefined;
}

/**
 * An idle host's estimate older than this is forgotten, so the host counts as untimed and gets the next
 * job it is free for. Placement keeps work off a host measured clearly slower; without this, a host timed
 * slow once (a restart, a busy moment, another user's build there) never got the job that could show it
 * is fast again, and a build ran on the one host measured fastest while the others sat idle.
 */
export const SPEED_STALE_MS = 30_000;

/** The estimate placement should use: none for a host idle since its last sample went stale. */
export function currentSpeed(speed: SpeedEstimate | undefined, sampledAtMs: number, running: number, nowMs: number): SpeedEstimate | undefined {
  return speed !== undefined && running === 0 && nowMs - sampledAtMs > SPEED_STALE_MS ? undefined : speed;
}

export function updateSpeed(prev: SpeedEstimate | undefined, timing: JobTiming): SpeedEstimate | undefined {
  const { ms, bytes } = timing;
  // A bogus clock reading must not poison the estimate for the rest of the session.
  if (!Number.isFinite(ms) || ms < 0) return prev;
  const perKiB = bytes !== undefined && Number.isFinite(bytes) && bytes > 0 ? ms / (bytes / 1024) : null;
  if (prev === undefined) return { msPerJob: ms, msPerKiB: perKiB, samples: 1 };
  return {
    msPerJob: blend(prev.msPerJob, ms),
    msPerKiB: perKiB === null ? prev.msPerKiB : prev.msPerKiB === null ? perKiB : blend(prev.msPerKiB, perKiB),
    samples: prev.samples + 1,
  };
}

/**
 * Negative when `a` is the faster host. An unmeasured host counts as fastest, so every host gets
 * tried and measured. Per-KiB means are compared when both hosts have one, since job sizes differ.
 */
export function compareSpeed(a: SpeedEstimate | undefined, b: SpeedEstimate | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  if (a.msPerKiB !== null && b.msPerKiB !== null) return a.msPerKiB - b.msPerKiB;
  return a.msPerJob - b.msPerJob;
}

function blend(mean: number, sample: number): number {
  return mean + SPEED_SAMPLE_WEIGHT * (sample - mean);
}
