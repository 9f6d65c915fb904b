// Whether a job that asks a volunteer for a slot runs now, waits for one, or is declined ("busy") so the
// agent places it elsewhere. The volunteer decides from its own counts and the job's `whenBusy`; the agent
// picks `whenBusy` from its own view of its other hosts.
import type { HostLoad } from './host-load';

export type SlotDecision = 'grant' | 'queue' | 'decline';

export interface SlotCounts {
  /** The volunteer's slots; 0: draining. */
  readonly cap: number;
  readonly busy: number;
  readonly waiting: number;
}

/**
 * A draining volunteer declines everything new. A free slot with nobody queued before it is granted (a
 * queued job is never overtaken). Otherwise the job queues unless its client has another place for it now.
 */
export function decideSlot(counts: SlotCounts, whenBusy: 'wait' | 'decline'): SlotDecision {
  if (counts.cap === 0) return 'decline';
  if (counts.busy < counts.cap && counts.waiting === 0) return 'grant';
  return whenBusy === 'decline' ? 'decline' : 'queue';
}

/**
 * The agent's side: 'decline' when another usable host (or a `localhost/N` slot) has a free slot now,
 * so a busy volunteer's "no" costs one round trip and the job starts at once elsewhere; else 'wait':
 * queuing on the volunteer beats queuing here, since it is served the moment a slot frees there.
 */
export function whenBusyFor(loads: readonly HostLoad[], host: string, avoid: ReadonlySet<string>): 'wait' | 'decline' {
  const elsewhere = loads.some((load) => load.id !== host && !avoid.has(load.id) && load.state === 'up' && load.running < load.slots);
  return elsewhere ? 'decline' : 'wait';
}
