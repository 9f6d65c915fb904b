import { hostSpecError } from './host-spec-error';

export interface HostAddress {
  readonly user: string | null;
  /** IPv6 without its brackets. */
  readonly host: string;
  /** What follows the host: `:port/N` (sshcc) or `/N:command` (distcc), unchecked. */
  readonly rest: string;
}

// Names end up as arguments of `ssh -G <host>` and in ssh2's connect options, so nothing that could be
// read as an option (leading "-") and nothing outside what DNS names, IPs and ~/.ssh/config aliases use.
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const USER_NAME = /^[A-Za-z0-9._][A-Za-z0-9._$-]*$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/** Reads `[user@]host` or `[user@][ipv6]` from the front of `address` (the entry without `@` and options). */
export function readHostAddress(address: string, token: string, where: string): HostAddress {
  const at = address.lastIndexOf('@');
  const user = at === -1 ? null : address.slice(0, at);
  if (user === '') throw hostSpecError(where, `empty user name in "${token}"`, 'write user@host, or leave the user to ~/.ssh/config');
  if (user !== null && !USER_NAME.test(user)) {
    throw hostSpecError(where, `bad user name "${user}" in "${token}"`, 'letters, digits, ".", "_", "-" and "$", not starting with "-"');
  }
  const hostPart = address.slice(at + 1);

  if (hostPart.startsWith('[')) {
    const close = hostPart.indexOf(']');
    if (close === -1) throw hostSpecError(where, `missing "]" in "${token}"`);
    const host = hostPart.slice(1, close);
    if (!IPV6.test(host)) throw hostSpecError(where, `bad IPv6 address "${host}" in "${token}"`);
    return { user, host, rest: hostPart.slice(close + 1) };
  }

  const end = hostPart.search(/[:/]/);
  const host = end === -1 ? hostPart : hostPart.slice(0, end);
  const beforeSlash = hostPart.split('/')[0] ?? '';
  if ((beforeSlash.match(/:/g) ?? []).length >= 2) {
    throw hostSpecError(where, `IPv6 address without brackets in "${token}"`, 'write it as [::1] or [::1]:port');
  }
  if (host === '') throw hostSpecError(where, `missing host name in "${token}"`);
  if (!HOST_NAME.test(host)) {
    throw hostSpecError(where, `bad host name "${host}" in "${token}"`, 'letters, digits, ".", "_" and "-", not starting with "-" or "."');
  }
  return { user, host, rest: end === -1 ? '' : hostPart.slice(end) };
}
