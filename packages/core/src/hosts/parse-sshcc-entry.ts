import { DEFAULT_REMOTE_SLOTS, MAX_PORT } from './host-limits';
import { readHostOptions } from './host-options';
import { hostSpecError } from './host-spec-error';
import { parseSlots } from './parse-count';
import { parseLocalEntry } from './parse-local-entry';
import { readHostAddress } from './read-host-address';
import type { HostEntry } from './types';

/** One entry of sshcc's grammar: `localhost[/N]` or `[@][user@]host[:port][/N][,option...]`. */
export function parseSshccEntry(token: string, where: string): HostEntry {
  const local = parseLocalEntry(token, where);
  if (local !== null) return local;

  // `@` is distcc's "over ssh" marker; every remote host is reached over SSH here, so it changes nothing.
  const body = token.startsWith('@') ? token.slice(1) : token;
  const [address = '', ...options] = body.split(',');
  const { user, host, rest } = readHostAddress(address, token, where);
  const tail = /^(?::([^/]*))?(?:\/(.*))?$/.exec(rest);
  if (tail === null) {
    throw hostSpecError(where, `unexpected "${rest}" after the host in "${token}"`, 'write [@][user@]host[:port][/N][,option...]');
  }
  const [, portText, slotsText] = tail;
  return {
    kind: 'ssh',
    spec: token,
    host,
    user,
    port: portText === undefined ? null : parsePort(portText, token, where),
    slots: slotsText === undefined ? DEFAULT_REMOTE_SLOTS : parseSlots(slotsText, token, where),
    ...readHostOptions(options, token, where, 'sshcc'),
  };
}

function parsePort(text: string, token: string, where: string): number {
  const port = /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
  if (!(port <= MAX_PORT)) throw hostSpecError(where, `bad port "${text}" in "${token}"`, `a whole number from 1 to ${MAX_PORT}`);
  return port;
}
