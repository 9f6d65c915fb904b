import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

/** sha256 of a file, read as a stream (cc1plus is ~35 MB). */
export function hashFile(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')));
  });
}

/**
 * hashFile, kept per path until the file's mtime or size changes: cc1plus is ~35 MB and shared by every
 * g++ name on PATH, and the agent hashes the same compilers again for their toolchain pack. Not for a
 * check against tampering (the pack store's), which must read the bytes every time.
 */
const fileHashes = new Map<string, { readonly mtimeMs: number; readonly size: number; readonly hash: Promise<string> }>();

export function hashFileOnce(path: string): Promise<string> {
  const { mtimeMs, size } = statSync(path);
  const known = fileHashes.get(path);
  if (known && known.mtimeMs === mtimeMs && known.size === size) return known.hash;
  const hash = hashFile(path);
  fileHashes.set(path, { mtimeMs, size, hash });
  hash.catch(() => fileHashes.delete(path));
  return hash;
}
