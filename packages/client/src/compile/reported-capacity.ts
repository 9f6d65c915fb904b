import type { VolunteerCapacity } from '@sshcc/core';
import type { JobResult } from '@sshcc/protocol';

/**
 * The volunteer's word on its slots and load in a job's result (`capacity`, from servers with
 * volunteer-wide slots; older servers send none): checked field by field, since a wrong number would
 * steer placement. Undefined when absent or malformed.
 */
export function reportedCapacity(result: JobResult): VolunteerCapacity | undefined {
  const capacity = (result as { readonly capacity?: unknown }).capacity;
  if (typeof capacity !== 'object' || capacity === null) return undefined;
  const c = capacity as Record<string, unknown>;
  const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const { cap, busy, waiting, load1, cpus } = c;
  if (!count(cap) || !count(busy) || !count(waiting) || !count(cpus) || typeof load1 !== 'number' || !Number.isFinite(load1) || load1 < 0) return undefined;
  return { cap, busy, waiting, load1, cpus };
}
