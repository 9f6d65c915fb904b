import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SshccError } from '@sshcc/core';

export interface OutputToWrite {
  /** Absolute path of the target. */
  readonly path: string;
  readonly data: Buffer;
}

/**
 * Writes every output to a temp file beside its target, then renames them into place, so a build
 * never sees a half-written object: either all targets are complete, or none was touched and no temp
 * file remains. Files are created with mode 0666 & ~umask, as the compiler would create them.
 */
export async function writeOutputsAtomically(outputs: readonly OutputToWrite[], umask: number): Promise<void> {
  const temps: string[] = [];
  try {
    for (const output of outputs) {
      const temp = join(dirname(output.path), `.${basename(output.path)}.sshcc-${randomBytes(6).toString('hex')}.tmp`);
      temps.push(temp);
      const handle = await open(temp, 'wx', 0o666 & ~umask);
      try {
        await handle.writeFile(output.data);
      } finally {
        await handle.close();
      }
    }
    for (const [i, output] of outputs.entries()) await rename(temps[i] as string, output.path);
  } catch (err) {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    const reason = err instanceof Error ? err.message : String(err);
    throw new SshccError('output-write', `cannot write ${outputs.map((o) => o.path).join(', ')}: ${reason}`, { cause: err });
  }
}
