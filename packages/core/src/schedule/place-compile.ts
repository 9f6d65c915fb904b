// Where a compile job goes now: a remote host, this machine, or nowhere yet (it keeps waiting).
import type { CompileNeeds, HostLoad, Rng, SlotCount } from './host-load';
import { machineLoad } from './machine-load';
import { isUsable, pickHost } from './pick-host';

export type Placement =
  /** Compile on this host (a remote one). */
  | { readonly kind: 'remote'; readonly hostId: string }
  /**
   * Compile on this machine. `hostId` names the `localhost/N` entry when the job won it like any
   * host; null when it takes a `--localslots` slot (local-only job, or no remote usable).
   */
  | { readonly kind: 'local'; readonly hostId: string | null }
  /** Nothing free for this job yet; `for` says which kind of slot it waits on. */
  | { readonly kind: 'wait'; readonly for: 'hosts' | 'local' };

/**
 * The rule of the one queue (`localSlots` counts only local-only and fallback jobs):
 * - A job that may use hosts takes the best free usable host (`pickHost`). The `localhost/N` entry is
 *   one of them while the machine is under its cap (`machineLoad`).
 * - While some usable host exists but all are busy, the job waits for hosts even if a `--localslots`
 *   slot is idle: this machine takes queue jobs only through a `localhost/N` entry, because it is
 *   already busy preprocessing every job. No timer ever moves a job; only a freed slot or a host
 *   state change does.
 * - When no host is usable for it (all backed off, down, or in its avoid set), or it is local-only,
 *   the job gives up on remote and waits for a `--localslots` slot. Being re-placed on every change,
 *   it still takes a host that comes back up before a local slot frees.
 */
export function placeCompile(
  hosts: readonly HostLoad[],
  localSlots: SlotCount,
  job: CompileNeeds,
  rng?: Rng,
): Placement {
  const machine = machineLoad(hosts, localSlots);
  const machineFree = machine.running < machine.capacity;
  if (job.localOnly !== true && hosts.some((h) => isUsable(h, job))) {
    const open = machineFree ? hosts : hosts.filter((h) => h.local !== true);
    const hostId = pickHost(open, job, rng);
    if (hostId === null) return { kind: 'wait', for: 'hosts' };
    const onThisMachine = open.find((h) => h.id === hostId)!.local === true;
    return onThisMachine ? { kind: 'local', hostId } : { kind: 'remote', hostId };
  }
  return machineFree && localSlots.running < localSlots.slots
    ? { kind: 'local', hostId: null }
    : { kind: 'wait', for: 'local' };
}
