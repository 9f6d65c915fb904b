import type { SshHost } from './types';

/** `user@host:port` as a person would type it (IPv6 in brackets, absent parts left out). */
export function sshDestination(host: Pick<SshHost, 'host' | 'user' | 'port'>): string {
  const name = host.host.includes(':') ? `[${host.host}]` : host.host;
  return (host.user === null ? '' : `${host.user}@`) + name + (host.port === null ? '' : `:${host.port}`);
}
