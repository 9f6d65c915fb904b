// How many compilers this machine may run, and runs, whichever way each job got here.
import type { HostLoad, SlotCount } from './host-load';

export interface MachineLoad {
  /** Hard cap: the larger of `--localslots` and the `localhost/N` entry's N. */
  readonly capacity: number;
  /** Local-only jobs and fallbacks plus jobs the `localhost/N` entry won. */
  readonly running: number;
}

/**
 * `localhost/N` jobs and `--localslots` jobs draw from one pool of local compile slots, as distcc's
 * do (both lock the same `localhost` slot files there), so a DISTCC_HOSTS list means the same here:
 * `localhost/4 --localslots=2` runs up to 4 compilers here, at most 2 of them local-only or fallback.
 */
export function machineLoad(hosts: readonly HostLoad[], localSlots: SlotCount): MachineLoad {
  let entrySlots = 0;
  let entryRunning = 0;
  for (const h of hosts) {
    if (h.local !== true) continue;
    entrySlots += h.slots;
    entryRunning += h.running;
  }
  return { capacity: Math.max(localSlots.slots, entrySlots), running: localSlots.running + entryRunning };
}
