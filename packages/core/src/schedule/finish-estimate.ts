// When a job handed to a host now would be done: the host's measured time per job, stretched by what its
// volunteer last said of its load (see volunteer-capacity.ts). One host counts as faster than another only
// by a clear margin, so hosts a few percent apart (noise in the measurements) share the work by load.
import type { HostLoad } from './host-load';
import { overload, queuedLengths } from './volunteer-capacity';

/** A host is clearly faster when its estimate is at most the other's divided by this. */
export const FASTER_BY = 1.25;

/**
 * Milliseconds until a job handed to `host` now would be back; undefined until the host has been timed.
 * With the job's size (KiB of source) and the host's time per KiB, by size: a big file is not a slow host.
 */
export function expectedFinishMs(host: HostLoad, kib?: number): number | undefined {
  const speed = host.speed;
  const ms = speed === undefined ? undefined : kib !== undefined && kib > 0 && speed.msPerKiB !== null ? speed.msPerKiB * kib : speed.msPerJob;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  return ms * overload(host.capacity) * (1 + queuedLengths(host.capacity));
}

/**
 * A job waits for busy hosts rather than start on a free one only when that one is at least this much
 * slower. The agent cannot tell a build's tail from a make -j that matches the slots (its queue is
 * short either way), so a smaller margin held every job for the host measured fastest while hosts a
 * little slower, or timed in a noisy moment, sat idle: a soak build on three like volunteers ran on one.
 */
export const TAIL_SLOWER_BY = 2;

/** Whether `ms` is clearly sooner than `than` (both estimates). */
export function clearlySooner(ms: number, than: number): boolean {
  return ms * FASTER_BY <= than;
}
