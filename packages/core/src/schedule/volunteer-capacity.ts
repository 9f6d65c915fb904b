// What a volunteer says of its own load with each answer (its hello and every job result): the slots
// its owner allows across all its clients, how many are taken and waited for, and how loaded its CPUs
// are. Older servers say nothing; every use here treats a missing picture as "no news".

export interface VolunteerCapacity {
  /** Compiles the volunteer runs at once, for every client together. */
  readonly cap: number;
  /** Slots taken when it answered (this agent's jobs included). */
  readonly busy: number;
  /** Jobs waiting there for a slot when it answered. */
  readonly waiting: number;
  /** Its 1-minute load average. */
  readonly load1: number;
  readonly cpus: number;
}

/**
 * How many job lengths a new job would wait on the volunteer before its compile starts: the jobs beyond
 * its cap ahead of it, shared among its slots. 0 with a free slot, or with no picture.
 */
export function queuedLengths(capacity: VolunteerCapacity | undefined): number {
  if (capacity === undefined || !(capacity.cap > 0)) return 0;
  const ahead = Math.max(0, capacity.busy + capacity.waiting + 1 - capacity.cap);
  return ahead / capacity.cap;
}

/**
 * How much slower than measured a compile there may run: other work beyond its CPUs (another user's
 * build) shares them. 1 at or under one runnable task per CPU, or with no picture.
 */
export function overload(capacity: VolunteerCapacity | undefined): number {
  if (capacity === undefined || !(capacity.cpus > 0) || !Number.isFinite(capacity.load1)) return 1;
  return Math.max(1, capacity.load1 / capacity.cpus);
}
