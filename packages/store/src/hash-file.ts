import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

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
