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
  /** Its source's size in KiB, when known: estimates go by the hosts' time per KiB. */
  readonly kib?: number | undefined;
}

export interface Duplicate {
  readonly jobId: number;
  readonly hostId: string;
}

/**
 * The job to start a second time and where, or null. A candidate host is a remote one, up, with a free
 * slot and timed; a job qualifies when that host is expected back clearly sooner (`clearlySooner`) than
 * what is left of its first run. What is left: the first host's estimate less the time it has run, or,
 * once the run is past its estimate, as long again as it has run already (a host that stalled or slowed
 * since it was timed is the straggler this is for). The job whose answer comes furthest forward wins.
 */
export function pickDuplicate(running: readonly RunningJob[], hosts: readonly HostLoad[], now: number): Duplicate | null {
  if (running.length === 0) return null;
  const byId = new Map(hosts.map((h) => [h.id, h]));
  let best: Duplicate | null = null;
  let bestGain = 0;
  for (const host of hosts) {
    if (host.local === true || host.state !== 'up' || host.running >= host.slots) continue;
    if (host.speed === undefined) continue;
    for (const job of running) {
      const first = byId.get(job.hostId);
      if (first === undefined || job.hostId === host.id || job.avoid.has(host.id)) continue;
      const there = expectedFinishMs(host, job.kib);
      const firstMs = expectedFinishMs(first, job.kib);
      if (there === undefined || firstMs === undefined) continue;
      const ran = Math.max(0, now - job.startedAt);
      const left = ran < firstMs ? firstMs - ran : ran;
      if (!clearlySooner(there, left)) continue;
      const gain = left - there;
      if (gain > bestGain) {
        bestGain = gain;
        best = { jobId: job.id, hostId: host.id };
      }
    }
  }
  return best;
}
