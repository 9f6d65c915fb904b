import type { KnownHostsEntry } from './parse-known-hosts';
import { matchHashedHost } from './hashed-host-name';
import { matchHostPatternList } from './host-pattern';

// The decision ssh makes in check_host_key (sshconnect.c), minus every path that trusts a key ssh has not
// seen before: sshcc never adds keys, so StrictHostKeyChecking=no/accept-new still means "refuse".

export type HostKeyVerdict =
  | { readonly kind: 'trusted'; readonly entry: KnownHostsEntry }
  | { readonly kind: 'revoked'; readonly entry: KnownHostsEntry }
  | { readonly kind: 'changed'; readonly keyType: string; readonly known: readonly KnownHostsEntry[] }
  | { readonly kind: 'other-types'; readonly keyType: string; readonly known: readonly KnownHostsEntry[] }
  | { readonly kind: 'cert-authority'; readonly entry: KnownHostsEntry }
  | { readonly kind: 'unknown' };

/** The key type named inside an SSH wire-format key blob (`string type` first). */
export function keyBlobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > blob.length - 4 || length > 64) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

export function entryMatchesHost(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hosts.kind === 'hashed') return matchHashedHost(name, entry.hosts.hashed);
  return matchHostPatternList(name, entry.hosts.patterns) === 'match';
}

function entryType(entry: KnownHostsEntry): string {
  return keyBlobType(entry.key) ?? entry.keyType;
}

/** Key types known_hosts holds for `name`, so the key exchange can ask for one of them first. */
export function knownKeyTypes(entries: readonly KnownHostsEntry[], name: string): string[] {
  const types = entries.filter((entry) => entry.marker === undefined && entryMatchesHost(entry, name)).map(entryType);
  return [...new Set(types)];
}

/** Checks the key a server presented for `name` (`host` or `[host]:port`) against known_hosts entries. */
export function checkHostKey(entries: readonly KnownHostsEntry[], name: string, key: Buffer): HostKeyVerdict {
  const lookup = name.toLowerCase();
  const forHost = entries.filter((entry) => entryMatchesHost(entry, lookup));
  const revoked = forHost.find((entry) => entry.marker === 'revoked' && entry.key.equals(key));
  if (revoked) return { kind: 'revoked', entry: revoked };

  const plain = forHost.filter((entry) => entry.marker === undefined);
  const trusted = plain.find((entry) => entry.key.equals(key));
  if (trusted) return { kind: 'trusted', entry: trusted };

  const keyType = keyBlobType(key) ?? 'unknown key type';
  const sameType = plain.filter((entry) => entryType(entry) === keyType);
  if (sameType.length > 0) return { kind: 'changed', keyType, known: sameType };

  const authority = forHost.find((entry) => entry.marker === 'cert-authority');
  if (authority) return { kind: 'cert-authority', entry: authority };

  if (plain.length > 0) return { kind: 'other-types', keyType, known: plain };
  return { kind: 'unknown' };
}
