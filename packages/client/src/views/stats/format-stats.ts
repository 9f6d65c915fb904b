import { formatTable } from '../format-table';
import { packLabel } from '../pack-names';
import type { HostStats, StatsData } from './stats-data';

/**
 * `sshcc stats` as text, in the manner of `ccache -s`: labels and counts, then one row per host.
 * `packCompilers`: what each pack id is, where this machine knows (views/pack-names).
 */
export function formatStats(stats: StatsData, packCompilers: ReadonlyMap<string, string> = new Map()): string {
  const { jobs, time } = stats;
  const rows: [string, string][] = [
    ['Jobs', String(jobs.total)],
    ['  compiled remotely', String(jobs.remote)],
    ['  run locally', String(jobs.local)],
    ...Object.entries(jobs.localByReason)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([reason, count]): [string, string] => [`    ${reason}`, String(count)]),
    ['  failed over', String(jobs.failedOver)],
    ['  sshcc errors', String(jobs.errors)],
    ['  cancelled', String(jobs.cancelled)],
    // Shown once a job has streamed, so output from builds of small sources reads as before.
    ...(jobs.streamed > 0 ? [['  streamed while preprocessed', String(jobs.streamed)] as [string, string]] : []),
    ['Local time', ''],
    ['  preprocessing', `${seconds(time.preprocessMs)}${meanOf(time.preprocessMs, time.preprocessed)}`],
    ['  waiting for a cpp slot', seconds(time.cppWaitMs)],
    ['  waiting in the queue', seconds(time.queuedMs)],
    ['  compiling here', `${seconds(time.localCompileMs)}${meanOf(time.localCompileMs, time.localCompiles)}`],
    ...slotRows(Object.values(stats.hosts)),
    ...cacheRows(stats.cache),
    // Shown once a job has been verified, so output without SSHCC_VERIFY reads as before.
    ...(stats.verify.checked > 0 ? [['Verified here (SSHCC_VERIFY)', `${stats.verify.checked} remote jobs, ${stats.verify.mismatched} mismatched`] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const head = `Stats since ${local(stats.since)}, last counted ${local(stats.updated)}\n`;
  const body = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`.trimEnd() + '\n').join('');
  const hosts = Object.entries(stats.hosts).sort(([a], [b]) => a.localeCompare(b));
  if (hosts.length === 0) return `${head}${body}`;
  // The column appears once some host has answered from its cache, so output without the cache reads as before.
  const withHits = hosts.some(([, host]) => host.cacheHits > 0);
  const withVerified = hosts.some(([, host]) => host.verified > 0);
  const table = [
    ['HOST', 'JOBS', ...(withHits ? ['CACHE HITS'] : []), ...(withVerified ? ['VERIFIED'] : []), 'FAILURES', 'MEAN COMPILE', 'SENT (RAW / WIRE)', 'RECEIVED (RAW / WIRE)', 'BACKOFFS'],
    ...hosts.map(([id, host]) => [
      id,
      String(host.jobs),
      ...(withHits ? [String(host.cacheHits)] : []),
      ...(withVerified ? [String(host.verified)] : []),
      failures(host),
      host.compiles === 0 ? '-' : milliseconds(host.compileMs / host.compiles),
      `${bytes(host.sentBytes)} / ${bytes(host.sentWireBytes)}`,
      `${bytes(host.receivedBytes)} / ${bytes(host.receivedWireBytes)}`,
      String(host.backoffs),
    ]),
  ];
  return `${head}${body}\n${formatTable(table)}${packTable(hosts, packCompilers)}`;
}

/** A table of its own, shown once some host pushed or holds a pack, so output without packs reads as before. */
function packTable(hosts: readonly [string, HostStats][], packCompilers: ReadonlyMap<string, string>): string {
  const withPacks = hosts.filter(([, host]) => host.packsPushed + host.packsFailed + host.packsHeld.length > 0);
  if (withPacks.length === 0) return '';
  const table = [
    ['HOST', 'PACKS HELD', 'PUSHED', 'SENT', 'PUSH TIME', 'PUSHES FAILED'],
    ...withPacks.map(([id, host]) => [
      id,
      host.packsHeld.length === 0 ? 'none' : host.packsHeld.map((pack) => packLabel(pack, packCompilers.get(pack))).join('; '),
      String(host.packsPushed),
      bytes(host.packWireBytes),
      seconds(host.packPushMs),
      host.packsFailed === 0 ? '0' : `${host.packsFailed} (last: ${host.lastPackFailure ?? 'no reason kept'})`,
    ]),
  ];
  return `\nToolchain packs\n${formatTable(table)}`;
}

/** Shown once a volunteer's shared slots made a job wait or go elsewhere, so output without that reads as before. */
function slotRows(hosts: readonly HostStats[]): [string, string][] {
  const declined = hosts.reduce((sum, host) => sum + host.declinedBusy, 0);
  const waitedMs = hosts.reduce((sum, host) => sum + host.slotWaitMs, 0);
  if (declined === 0 && waitedMs === 0) return [];
  return [
    ["Volunteers' slots (shared with their other clients)", ''],
    ['  jobs declined busy (volunteer-busy)', String(declined)],
    ['  waiting for a slot there', seconds(waitedMs)],
  ];
}

/** Like ccache's "Hits": a hit rate over the lookups made (none made: the cache is off, no rows). */
function cacheRows(cache: StatsData['cache']): [string, string][] {
  const hits = cache.agentHits + cache.volunteerHits;
  const lookups = hits + cache.misses;
  if (lookups === 0) return [];
  return [
    ['Result cache', `${hits} / ${lookups} hits (${((hits / lookups) * 100).toFixed(1)} %)`],
    ['  agent hits', String(cache.agentHits)],
    // ccache's "direct" and "preprocessed" hits: shown once the agent has had a hit.
    ...(cache.agentHits > 0
      ? [
          ['    direct (no cpp run)', String(cache.directHits)] as [string, string],
          ['    preprocessed', String(cache.agentHits - cache.directHits)] as [string, string],
        ]
      : []),
    ['  volunteer hits', String(cache.volunteerHits)],
    ['  misses', String(cache.misses)],
  ];
}

function failures(host: HostStats): string {
  const kinds = Object.entries(host.failures).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const total = kinds.reduce((sum, [, count]) => sum + count, 0);
  return total === 0 ? '0' : `${total} (${kinds.map(([kind, count]) => `${kind} ${count}`).join(', ')})`;
}

function meanOf(totalMs: number, count: number): string {
  return count === 0 ? '' : `  (${count} jobs, mean ${milliseconds(totalMs / count)})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function milliseconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : seconds(ms);
}

/** Decimal units, as ccache and ls -h --si print them. */
export function bytes(count: number): string {
  if (count < 1000) return `${count} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = count / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`. */
function local(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
