// "Best host" for one job, among hosts that have a free slot right now.
import type { CompileNeeds, HostLoad, Rng } from './host-load';
import { compareSpeed } from './speed';

/** True when the host may take new work from this job at all, busy or not. */
export function isUsable(host: HostLoad, job: CompileNeeds): boolean {
  return host.state === 'up' && host.slots > 0 && !job.avoid.has(host.id);
}

/**
 * The host that should take this job now, or null when no usable host has a free slot. Order:
 * 1. fewest running jobs per slot (spreads work in proportion to capacity);
 * 2. measured speed (`compareSpeed`);
 * 3. a remote host before the `localhost/N` entry: this machine also preprocesses every job;
 * 4. list order, or a uniform pick among the remaining ties when `rng` is given (`--randomize`).
 */
export function pickHost(hosts: readonly HostLoad[], job: CompileNeeds, rng?: Rng): string | null {
  const free = hosts.filter((h) => isUsable(h, job) && h.running < h.slots);
  if (free.length === 0) return null;
  // Array.prototype.sort is stable, so equal hosts keep list order.
  const ranked = [...free].sort(compareHosts);
  const best = ranked[0]!;
  if (rng === undefined) return best.id;
  const ties = ranked.filter((h) => compareHosts(h, best) === 0);
  return ties[Math.min(ties.length - 1, Math.floor(rng() * ties.length))]!.id;
}

function compareHosts(a: HostLoad, b: HostLoad): number {
  return (
    a.running / a.slots - b.running / b.slots ||
    compareSpeed(a.speed, b.speed) ||
    Number(a.local === true) - Number(b.local === true)
  );
}
