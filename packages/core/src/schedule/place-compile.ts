// Where a compile job goes now: a remote host, this machine, or nowhere yet (it keeps waiting).
import type { CompileNeeds, HostLoad, Rng, SlotCount } from './host-load';
import { isUsable, pickHost } from './pick-host';

export type Placement =
  /** Compile on this host (a remote one). */
  | { readonly kind: 'remote'; readonly hostId: string }
  /**
   * Compile on this machine in a local compile slot. `hostId` names the `localhost/N` entry when the
   * job won it like any host; null when this is the fallback (local-only job, or no remote usable).
   */
  | { readonly kind: 'local'; readonly hostId: string | null }
  /** Nothing free for this job yet; `for` says which kind of slot it waits on. */
  | { readonly kind: 'wait'; readonly for: 'hosts' | 'local' };

/**
 * The rule of the one queue:
 * - A job that may use hosts takes the best free usable host (`pickHost`); the `localhost/N` entry is
 *   one of them, but only while a local compile slot is also free, so local compiles never exceed
 *   `--localslots` however the host list is written.
 * - While some usable host exists but all are busy, the job waits for hosts even if a local compile
 *   slot is idle: the local machine takes ordinary jobs only through a `localhost/N` entry, since it
 *   is already busy preprocessing every job. No timer ever moves a job; only a freed slot or a host
 *   state change does.
 * - When no host is usable for it (all backed off, down, or in its avoid set), or it is local-only,
 *   the job gives up on remote and waits for a local compile slot. Being re-placed on every change,
 *   it still takes a host that comes back up before a local slot frees.
 */
export function placeCompile(
  hosts: readonly HostLoad[],
  local: SlotCount,
  job: CompileNeeds,
  rng?: Rng,
): Placement {
  const localFree = local.running < local.slots;
  if (job.localOnly !== true && hosts.some((h) => isUsable(h, job))) {
    const open = localFree ? hosts : hosts.filter((h) => h.local !== true);
    const hostId = pickHost(open, job, rng);
    if (hostId === null) return { kind: 'wait', for: 'hosts' };
    const onThisMachine = open.find((h) => h.id === hostId)!.local === true;
    return onThisMachine ? { kind: 'local', hostId } : { kind: 'remote', hostId };
  }
  return localFree ? { kind: 'local', hostId: null } : { kind: 'wait', for: 'local' };
}
