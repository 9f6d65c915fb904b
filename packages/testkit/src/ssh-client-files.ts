// The client-side files a volunteer needs: an ssh_config Host block and known_hosts lines. Pure text, so the
// same renderer serves one volunteer's own files and the combined files of makeClientConfig.

export interface HostEntry {
  alias: string;
  /** Where clients connect: 127.0.0.1 for a loopback volunteer, a link address for a WAN one. */
  host: string;
  port: number;
  user: string;
  identityFile: string;
  hostPublicKey: string;
  /** Set when host:port is a relay: the key is then looked up under this name (the alias line below). */
  hostKeyAlias?: string;
}

/** `[host]:port key` is what ssh and sshcc look up; the alias line serves HostKeyAlias-style lookups. */
export function renderKnownHosts(entries: readonly HostEntry[]): string {
  return entries.map((e) => `[${e.host}]:${e.port} ${e.hostPublicKey}\n${e.alias} ${e.hostPublicKey}\n`).join('');
}

export function renderHostBlock(entry: HostEntry, knownHostsFile: string): string {
  return [
    `Host ${entry.alias}`,
    `  HostName ${entry.host}`,
    `  Port ${entry.port}`,
    ...(entry.hostKeyAlias === undefined ? [] : [`  HostKeyAlias ${entry.hostKeyAlias}`]),
    `  User ${entry.user}`,
    `  IdentityFile ${entry.identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsFile}`,
    // Keep the machine's own /etc/ssh/ssh_known_hosts out of the verdict.
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '',
  ].join('\n');
}
