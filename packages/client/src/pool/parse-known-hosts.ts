import { parseHashedHost, type HashedHost } from './hashed-host-name';

// known_hosts lines (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT):
//   [@revoked|@cert-authority] hostpatterns keytype base64-key [comment]
// Lines that cannot be read are skipped, as ssh does; they can never make a key trusted.

export type KnownHostsMarker = 'revoked' | 'cert-authority';

export interface KnownHostsEntry {
  readonly file: string;
  /** 1-based, for messages (`~/.ssh/known_hosts:12`). */
  readonly line: number;
  readonly marker: KnownHostsMarker | undefined;
  readonly hosts: { readonly kind: 'hashed'; readonly hashed: HashedHost } | { readonly kind: 'patterns'; readonly patterns: string };
  readonly keyType: string;
  /** The key blob, as the server sends it. */
  readonly key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseKnownHosts(text: string, file: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) return;
    let marker: KnownHostsMarker | undefined;
    if (fields[0] === '@revoked') marker = 'revoked';
    else if (fields[0] === '@cert-authority') marker = 'cert-authority';
    else if (fields[0]!.startsWith('@')) return; // an unknown marker: ssh ignores the line
    const [hostField, keyType, keyText] = marker === undefined ? fields : fields.slice(1);
    if (hostField === undefined || keyType === undefined || keyText === undefined || !BASE64.test(keyText)) return;
    let hosts: KnownHostsEntry['hosts'];
    if (hostField.startsWith('|')) {
      const hashed = parseHashedHost(hostField);
      if (hashed === undefined) return;
      hosts = { kind: 'hashed', hashed };
    } else {
      hosts = { kind: 'patterns', patterns: hostField };
    }
    entries.push({ file, line: index + 1, marker, hosts, keyType, key: Buffer.from(keyText, 'base64') });
  });
  return entries;
}
