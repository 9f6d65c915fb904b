import { MAX_HELLO_PACKS } from '@sshcc/protocol';
import type { PackPush } from '../../events';
import { hostStats } from './count-job';
import { MAX_REASON_CHARS, type StatsData } from './stats-data';

/** Adds one toolchain push's end to the host's figures; a push still under way counts nothing yet (false). */
export function countPackPush(stats: StatsData, push: PackPush, at: number): boolean {
  if (push.state === 'pushing') return false;
  const host = hostStats(stats, push.host);
  if (push.state === 'held') {
    host.packsPushed++;
    host.packWireBytes += push.wireBytes ?? 0;
    host.packPushMs += push.ms ?? 0;
    if (!host.packsHeld.includes(push.pack) && host.packsHeld.length < MAX_HELLO_PACKS) host.packsHeld.push(push.pack);
  } else {
    host.packsFailed++;
    host.lastPackFailure = push.message.slice(0, MAX_REASON_CHARS);
  }
  stats.updated = new Date(at).toISOString();
  return true;
}

/**
 * A hello's list is all the server holds now (packs it evicted are gone from it), so it replaces what
 * was known. Returns whether anything changed: every agent start hears the same list again.
 */
export function notePacksHeld(stats: StatsData, hostId: string, packs: readonly string[] | null): boolean {
  // A host that holds nothing gets no row of its own for saying so: rows are for hosts that did something.
  const known = stats.hosts[hostId]?.packsHeld ?? [];
  const held = [...new Set(packs ?? [])].slice(0, MAX_HELLO_PACKS);
  if (held.length === known.length && held.every((id) => known.includes(id))) return false;
  hostStats(stats, hostId).packsHeld = held;
  return true;
}
