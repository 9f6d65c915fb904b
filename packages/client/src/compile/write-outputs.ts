import { renameSync, writeFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SshccError } from '@sshcc/core';
import { outputTemps, type OutputTemps } from './output-temps';

/**
 * Outputs up to this size in all are written synchronously (tens of microseconds): the promise API's
 * trips through the thread pool (open, write, close, rename) cost a cache hit more than the writes. Larger
 * ones are written without holding the agent's one thread, which serves every other job.
 */
const SYNC_WRITE_BYTES = 1024 * 1024;

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
  const small = outputs.reduce((sum, output) => sum + output.data.length, 0) <= SYNC_WRITE_BYTES;
  const mode = 0o666 & ~umask;
  try {
    for (const output of outputs) {
      const temp = temps.tempPath(output.path);
      written.push(temp);
      if (small) {
        writeFileSync(temp, output.data, { flag: 'wx', mode });
        continue;
      }
      const handle = await open(temp, 'wx', mode);
      try {
        await handle.writeFile(output.data);
      } finally {
        await handle.close();
      }
    }
    for (const [i, output] of outputs.entries()) {
      if (small) renameSync(written[i] as string, output.path);
      else await rename(written[i] as string, output.path);
    }
  } catch (err) {
    await Promise.all(written.map((temp) => unlink(temp).catch(() => undefined)));
    const reason = err instanceof Error ? err.message : String(err);
    throw new SshccError('output-write', `cannot write ${outputs.map((o) => o.path).join(', ')}: ${reason}`, { cause: err });
  } finally {
    done();
  }
}
