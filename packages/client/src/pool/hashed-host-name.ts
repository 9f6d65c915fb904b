import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// HashKnownHosts entries: `|1|<base64 salt>|<base64 HMAC-SHA1(key = salt, data = name)>` (hostfile.c).

export const HASHED_HOST_MAGIC = '|1|';
const SHA1_BYTES = 20;

export interface HashedHost {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export function hashHostName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

/** A hashed known_hosts name for `name`, as `ssh-keygen -H` writes it (a fresh random salt by default). */
export function formatHashedHost(name: string, salt: Buffer = randomBytes(SHA1_BYTES)): string {
  return `${HASHED_HOST_MAGIC}${salt.toString('base64')}|${hashHostName(name, salt).toString('base64')}`;
}

/** `|1|salt|hash` → its parts; undefined when malformed (ssh skips such lines). */
export function parseHashedHost(field: string): HashedHost | undefined {
  if (!field.startsWith(HASHED_HOST_MAGIC)) return undefined;
  const parts = field.slice(HASHED_HOST_MAGIC.length).split('|');
  if (parts.length !== 2) return undefined;
  const salt = Buffer.from(parts[0]!, 'base64');
  const hash = Buffer.from(parts[1]!, 'base64');
  if (salt.length !== SHA1_BYTES || hash.length !== SHA1_BYTES) return undefined;
  return { salt, hash };
}

export function matchHashedHost(name: string, hashed: HashedHost): boolean {
  // ssh hashes the name exactly as looked up (already lower case for host names).
  return timingSafeEqual(hashHostName(name, hashed.salt), hashed.hash);
}
