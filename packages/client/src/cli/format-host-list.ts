import { hostSourceLabel, sshDestination, type HostEntry, type ResolvedHosts } from '@sshcc/core';
import { formatTable } from '../views/format-table';

const NO_HOSTS = 'every compile runs on this machine';

/** `sshcc hosts`'s readable form: where the list came from, one row per host, the global options. */
export function formatHostList(list: ResolvedHosts): string {
  if (list.source.kind === 'none') {
    return `no host list (looked at ${list.searched.map(hostSourceLabel).join(', ')}): ${NO_HOSTS}\n`;
  }
  const source = `source: ${hostSourceLabel(list.source)}`;
  if (list.hosts.length === 0) return `${source} (no hosts: ${NO_HOSTS})\n`;

  const rows = [['spec', 'kind', 'destination', 'slots', 'compression'], ...list.hosts.map(hostRow)];
  const globals = [
    list.randomize ? '--randomize' : null,
    list.localSlots === null ? null : `--localslots=${list.localSlots}`,
    list.localSlotsCpp === null ? null : `--localslots_cpp=${list.localSlotsCpp}`,
  ].filter((option) => option !== null);
  return `${source}\n${formatTable(rows)}` + (globals.length === 0 ? '' : `options: ${globals.join(' ')}\n`);
}

function hostRow(entry: HostEntry): string[] {
  if (entry.kind === 'local') return [entry.spec, 'local', 'this machine', String(entry.slots), '-'];
  return [entry.spec, 'ssh', sshDestination(entry), String(entry.slots), entry.compression ? 'zstd' : 'off'];
}
