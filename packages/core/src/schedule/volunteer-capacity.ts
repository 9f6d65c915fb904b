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

/** A volunteer's word on its slots counts this long; after it, the host list's own count stands until it speaks again. */
export const CAPACITY_FRESH_MS = 30_000;

/**
 * The volunteer's picture as placement should read it: none once it is older than CAPACITY_FRESH_MS, so
 * a host that said "draining" or "full" is asked again (its next answer tells anew).
 */
export function freshCapacity(capacity: { readonly at: number; readonly value: VolunteerCapacity } | undefined, nowMs: number): VolunteerCapacity | undefined {
  return capacity !== undefined && nowMs - capacity.at <= CAPACITY_FRESH_MS ? capacity.value : undefined;
}

/**
 * The slots this agent may fill on a host: its host-list count (`/N`), but never more than the volunteer
 * allows all its clients together (0 while it drains). An agent that asked for more than the cap had its
 * extra jobs declined "busy" and bounced from host to host, and with every host full or failing, compiled
 * here: 71 of 2,000 jobs of the reliability soak (three volunteers at the default cap, their CPU count
 * of 2, listed `/4`).
 */
export function effectiveSlots(listed: number, capacity: VolunteerCapacity | undefined): number {
  return capacity === undefined ? listed : Math.min(listed, capacity.cap);
}
