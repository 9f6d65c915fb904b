// "Best host" for one job, among hosts that have a free slot right now.
import type { CompileNeeds, HostLoad, Rng } from './host-load';
import { clearlySooner, expectedFinishMs } from './finish-estimate';
import { compareSpeed } from './speed';

/** True when the host may take new work from this job at all, busy or not. */
export function isUsable(host: HostLoad, job: CompileNeeds): boolean {
  return host.state === 'up' && host.slots > 0 && !job.avoid.has(host.id);
}

/**
 * The host that should take this job now, or null when no usable host has a free slot. Order:
 * 1. an untimed host, so that it gets timed; else only hosts not clearly slower (`clearlySooner`) than
 *    the one expected back first (`expectedFinishMs`: measured speed, the volunteer's reported load
 *    and queue);
 * 2. among those, fewest running jobs per slot (spreads work in proportion to capacity);
 * 3. measured speed (`compareSpeed`);
 * 4. a remote host before the `localhost/N` entry: this machine also preprocesses every job;
 * 5. list order, or a uniform pick among the remaining ties when `rng` is given (`--randomize`).
 * Two passes over the hosts, no sort: at 32 volunteers this runs for every waiting job whenever a slot frees.
 */
export function pickHost(hosts: readonly HostLoad[], job: CompileNeeds, rng?: Rng): string | null {
  let untimed = false;
  let soonest = Number.POSITIVE_INFINITY;
  for (const host of hosts) {
    if (!isFree(host, job)) continue;
    const ms = expectedFinishMs(host);
    if (ms === undefined) untimed = true;
    else soonest = Math.min(soonest, ms);
  }
  if (!untimed && soonest === Number.POSITIVE_INFINITY) return null;
  const contends = (host: HostLoad): boolean => {
    if (!isFree(host, job)) return false;
    const ms = expectedFinishMs(host);
    return untimed ? ms === undefined : ms !== undefined && !clearlySooner(soonest, ms);
  };
  let best: HostLoad | null = null;
  let ties = 0;
  for (const host of hosts) {
    if (!contends(host)) continue;
    const order = best === null ? -1 : compareHosts(host, best);
    if (order < 0) {
      best = host;
      ties = 1;
    } else if (order === 0) ties++;
  }
  if (best === null || rng === undefined || ties === 1) return best?.id ?? null;
  let pick = Math.min(ties - 1, Math.floor(rng() * ties));
  for (const host of hosts) {
    if (contends(host) && compareHosts(host, best) === 0 && pick-- === 0) return host.id;
  }
  return best.id;
}

function isFree(host: HostLoad, job: CompileNeeds): boolean {
  return isUsable(host, job) && host.running < host.slots;
}

function compareHosts(a: HostLoad, b: HostLoad): number {
  return a.running / a.slots - b.running / b.slots || compareSpeed(a.speed, b.speed) || Number(a.local === true) - Number(b.local === true);
}
