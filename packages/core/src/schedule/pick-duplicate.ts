// Straggler duplication: once nothing waits in the queue, a job still running on a slow host may be
// started a second time on a faster host with a free slot; whichever answer comes first is taken (the
// objects are the same) and the other is cancelled. Only where it costs nothing: no job waits for the
// slot, and the second run is expected back before the first.
import { clearlySooner, expectedFinishMs } from './finish-estimate';
import type { HostLoad } from './host-load';

/** A remote job in flight that may be duplicated (its source is whole, it has not been duplicated). */
export interface RunningJob {
  readonly id: number;
  readonly hostId: string;
  /** When its host got it, on the caller's clock (ms). */
  readonly startedAt: number;
  /** Hosts it must not use (it failed there, or they are unfit for its compiler). */
  readonly avoid: ReadonlySet<string>;
}

export interface Duplicate {
  readonly jobId: number;
  readonly hostId: string;
}

/**
 * The job to start a second time and where, or null. A candidate host is a remote one, up, with a free
 * slot, timed, and clearly sooner (`clearlySooner`) than the job's host; the job is the one whose expected
 * answer the second run brings forward most. A job past its expected time is left alone: no estimate
 * says when it ends, and a hung host is the failure table's business (its deadlines).
 */
export function pickDuplicate(running: readonly RunningJob[], hosts: readonly HostLoad[], now: number): Duplicate | null {
  if (running.length === 0) return null;
  const byId = new Map(hosts.map((h) => [h.id, h]));
  let best: Duplicate | null = null;
  let bestGain = 0;
  for (const host of hosts) {
    if (host.local === true || host.state !== 'up' || host.running >= host.slots) continue;
    const there = expectedFinishMs(host);
    if (there === undefined) continue;
    for (const job of running) {
      const first = byId.get(job.hostId);
      if (first === undefined || job.hostId === host.id || job.avoid.has(host.id)) continue;
      const firstMs = expectedFinishMs(first);
      if (firstMs === undefined || !clearlySooner(there, firstMs)) continue;
      const gain = job.startedAt + firstMs - (now + there);
      if (gain > bestGain) {
        bestGain = gain;
        best = { jobId: job.id, hostId: host.id };
      }
    }
  }
  return best;
}
