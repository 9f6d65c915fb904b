import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SshccError } from '@sshcc/core';
import { outputTemps, type OutputTemps } from './output-temps';

export interface OutputToWrite {
  /** Absolute path of the target. */
  readonly path: string;
  readonly data: Buffer;
}

/**
 * Writes every output to a temp file beside its target, then renames them into place, so a build
 * never sees a half-written object: either all targets are complete, or none was touched and no temp
 * file remains. Files are created with mode 0666 & ~umask, as the compiler would create them. A temp
 * is named by this process, and its folder is in this process's journal before it is created: should
 * the process be killed before the rename, the next agent removes it (output-temps.ts).
 */
export async function writeOutputsAtomically(outputs: readonly OutputToWrite[], umask: number, temps: OutputTemps = outputTemps()): Promise<void> {
  const written: string[] = [];
  const done = temps.begin(outputs.map((output) => dirname(output.path)));
  try {
    for (const output of outputs) {
      const temp = temps.tempPath(output.path);
      written.push(temp);
      const handle = await open(temp, 'wx', 0o666 & ~umask);
      try {
        await handle.writeFile(output.data);
      } finally {
        await handle.close();
      }
    }
    for (const [i, output] of outputs.entries()) await rename(written[i] as string, output.path);
  } catch (err) {
    await Promise.all(written.map((temp) => unlink(temp).catch(() => undefined)));
    const reason = err instanceof Error ? err.message : String(err);
    throw new SshccError('output-write', `cannot write ${outputs.map((o) => o.path).join(', ')}: ${reason}`, { cause: err });
  } finally {
    done();
  }
}
