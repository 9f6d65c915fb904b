import { DEFAULT_REMOTE_SLOTS } from './host-limits';
import { readHostOptions } from './host-options';
import { hostSpecError } from './host-spec-error';
import { parseSlots } from './parse-count';
import { parseLocalEntry } from './parse-local-entry';
import { readHostAddress } from './read-host-address';
import type { HostEntry } from './types';

/**
 * One entry of DISTCC_HOSTS, read so that a list written for distcc keeps working:
 * `localhost[/N]` is kept; `[user]@host[/N][:command][,option...]` (distcc's ssh form, whose `:command`
 * names a distccd binary and is ignored) becomes an SSH host; a TCP host (no `@`) is skipped with a
 * warning, since sshcc speaks only SSH. Returns `null` for a skipped entry.
 */
export function parseDistccEntry(token: string, where: string, warn: (message: string) => void): HostEntry | null {
  const local = parseLocalEntry(token, where);
  if (local !== null) return local;

  if (!token.includes('@')) {
    warn(`${where}: skipping "${token}": a distcc TCP host (sshcc reaches hosts over SSH only; write "@${token}" to use it)`);
    return null;
  }
  const body = token.startsWith('@') ? token.slice(1) : token;
  const [address = '', ...options] = body.split(',');
  const { user, host, rest } = readHostAddress(address, token, where);
  const tail = /^(?:\/([^:]*))?(?::(.*))?$/.exec(rest);
  if (tail === null) {
    throw hostSpecError(where, `unexpected "${rest}" after the host in "${token}"`, 'write [user]@host[/N][:command][,option...]');
  }
  const [, slotsText, command] = tail;
  if (command !== undefined) {
    warn(`${where}: ignoring the distccd command ":${command}" in "${token}" (sshcc runs sshcc-server)`);
  }
  return {
    kind: 'ssh',
    spec: token,
    host,
    user,
    port: null, // distcc's ssh form has no port; ~/.ssh/config gives one
    slots: slotsText === undefined ? DEFAULT_REMOTE_SLOTS : parseSlots(slotsText, token, where),
    ...readHostOptions(options, token, where, 'distcc'),
  };
}
