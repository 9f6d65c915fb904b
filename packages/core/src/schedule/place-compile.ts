// Where a compile job goes now: a remote host, this machine, or nowhere yet (it keeps waiting).
import { expectedFinishMs, TAIL_SLOWER_BY } from './finish-estimate';
import type { CompileNeeds, HostLoad, Rng, SlotCount } from './host-load';
import { machineLoad } from './machine-load';
import { isUsable, pickHost } from './pick-host';

export interface PlaceOptions {
  /** Given for `--randomize`: shuffles hosts that tie. */
  readonly rng?: Rng | undefined;
  /** Jobs waiting ahead of this one in the queue (they take the next freed slots first). Default 0. */
  readonly ahead?: number;
}

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
 * - The last jobs of a build keep off slow hosts: a job whose best free host is at least TAIL_SLOWER_BY
 *   times slower than busy ones
 *   waits for those when, at the rate their slots free up and with `ahead` jobs before it, it would
 *   still be back sooner (`sooner elsewhere`). With a long queue every slot is worth filling, so the
 *   slow hosts work; at the tail they are left alone.
 * - When no host is usable for it (all backed off, down, or in its avoid set), or it is local-only,
 *   the job gives up on remote and waits for a `--localslots` slot. Being re-placed on every change,
 *   it still takes a host that comes back up before a local slot frees.
 */
export function placeCompile(hosts: readonly HostLoad[], localSlots: SlotCount, job: CompileNeeds, options: PlaceOptions = {}): Placement {
  const machine = machineLoad(hosts, localSlots);
  const machineFree = machine.running < machine.capacity;
  if (job.localOnly !== true && hosts.some((h) => isUsable(h, job))) {
    const open = machineFree ? hosts : hosts.filter((h) => h.local !== true);
    const hostId = pickHost(open, job, options.rng);
    if (hostId === null) return { kind: 'wait', for: 'hosts' };
    const chosen = open.find((h) => h.id === hostId)!;
    if (soonerElsewhere(open, job, chosen, options.ahead ?? 0)) return { kind: 'wait', for: 'hosts' };
    return chosen.local === true ? { kind: 'local', hostId } : { kind: 'remote', hostId };
  }
  return machineFree && localSlots.running < localSlots.slots
    ? { kind: 'local', hostId: null }
    : { kind: 'wait', for: 'local' };
}

/**
 * Whether waiting for the busy hosts clearly sooner than `chosen` would bring the job back sooner than
 * `chosen` would: their slots free up at about Σ slots / time per job, so the job starts there after
 * (ahead + 1) / that rate, then takes the slowest of their times.
 */
function soonerElsewhere(hosts: readonly HostLoad[], job: CompileNeeds, chosen: HostLoad, ahead: number): boolean {
  const mine = expectedFinishMs(chosen);
  if (mine === undefined) return false;
  let perMs = 0;
  let slowest = 0;
  for (const host of hosts) {
    if (host === chosen || !isUsable(host, job)) continue;
    const ms = expectedFinishMs(host);
    if (ms === undefined || ms <= 0 || ms * TAIL_SLOWER_BY > mine) continue;
    perMs += host.slots / ms;
    slowest = Math.max(slowest, ms);
  }
  return perMs > 0 && (ahead + 1) / perMs + slowest < mine;
}
