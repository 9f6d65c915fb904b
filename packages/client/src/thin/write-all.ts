import { writeSync } from 'node:fs';

/**
 * Writes the whole buffer to fd: one write(2) unless the kernel takes less (a full pipe), so the
 * compiler's messages reach the terminal in one piece instead of interleaved with other jobs'.
 * The fd is used directly, never through process.stdout, which would make it non-blocking.
 */
export function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw err;
    }
  }
}
