import { hostSpecError } from './host-spec-error';
import { hostLocation } from './host-source-label';
import { COUNT_HINT, parseCount } from './parse-count';
import { parseDistccEntry } from './parse-distcc-entry';
import { parseSshccEntry } from './parse-sshcc-entry';
import { splitHostTokens } from './split-host-tokens';
import { sshDestination } from './ssh-destination';
import type { HostEntry, HostList, HostSource, HostWarning } from './types';

export interface ParseHostsOptions {
  /** Where the text came from: names it in messages, and DISTCC_HOSTS selects distcc's dialect. */
  readonly source: HostSource;
}

const GLOBAL_OPTIONS_HINT = 'known: --randomize, --localslots=N, --localslots_cpp=N';

/**
 * Parses a host list (SSHCC_HOSTS's grammar, or distcc's for DISTCC_HOSTS). Throws
 * SshccError('bad-host-spec') naming the first bad entry; skipped entries come back as warnings.
 */
export function parseHosts(text: string, options: ParseHostsOptions): HostList {
  const { source } = options;
  const distcc = source.kind === 'env' && source.name === 'DISTCC_HOSTS';
  const hosts: HostEntry[] = [];
  const warnings: HostWarning[] = [];
  const seen = new Map<string, string>(); // destination key → the entry that listed it first
  let randomize = false;
  const counts: { localslots: number | null; localslots_cpp: number | null } = { localslots: null, localslots_cpp: null };

  for (const { text: token, line } of splitHostTokens(text)) {
    const where = hostLocation(source, line);
    const warn = (message: string): void => void warnings.push({ token, message });

    if (token.startsWith('--')) {
      const match = /^--(randomize|localslots|localslots_cpp)(?:=(.*))?$/.exec(token);
      const [, name, value] = match ?? [];
      if (name === undefined) throw hostSpecError(where, `unknown option "${token}"`, GLOBAL_OPTIONS_HINT);
      if (name === 'randomize') {
        if (value !== undefined) throw hostSpecError(where, `"${token}": --randomize takes no value`);
        randomize = true;
        continue;
      }
      const key = name as keyof typeof counts;
      const count = parseCount(value ?? '');
      if (count === null) throw hostSpecError(where, `bad value "${value ?? ''}" in "${token}"`, COUNT_HINT);
      if (counts[key] !== null) throw hostSpecError(where, `"--${name}" is given twice`);
      counts[key] = count;
      continue;
    }

    if (token.startsWith('+')) {
      // distcc's +zeroconf: discovery over mDNS, which has no SSH counterpart.
      const why = `distcc's zeroconf discovery, which sshcc does not have`;
      if (!distcc) throw hostSpecError(where, `"${token}" is ${why}`, 'list the hosts by name');
      warn(`${where}: skipping "${token}": ${why}`);
      continue;
    }

    const entry = distcc ? parseDistccEntry(token, where, warn) : parseSshccEntry(token, where);
    if (entry === null) continue;

    const key = entry.kind === 'local' ? 'localhost' : sshDestination({ ...entry, host: entry.host.toLowerCase() });
    const first = seen.get(key);
    if (first !== undefined) {
      const why = `lists ${key} again (first as "${first}")`;
      if (!distcc) throw hostSpecError(where, `"${token}" ${why}`, 'list each host once; its /N says how many jobs it takes');
      warn(`${where}: skipping "${token}": it ${why}`);
      continue;
    }
    seen.set(key, token);
    hosts.push(entry);
  }

  return { source, hosts, randomize, localSlots: counts.localslots, localSlotsCpp: counts.localslots_cpp, warnings };
}
