import { closeSync, constants, fstatSync, openSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
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
  const pending = small ? outputs.filter((output) => !touchIfSame(output)) : outputs;
  try {
    for (const output of pending) {
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
    for (const [i, output] of pending.entries()) {
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

/**
 * A target that already holds exactly these bytes (a cache hit after `touch header.h`, or a rebuild of the
 * same source) is only marked new: one byte written over itself, so the kernel sets its mtime as gcc's own
 * write would, with nothing to replace. Renaming over an existing file costs far more on ext4, whose
 * replace-by-rename rule starts the new file's writeback at once: 0.35 against 0.06 ms here, and several
 * ms when the disk is busy. Anything else (absent, another size or content, a symlink, not writable) is
 * written and renamed as usual.
 */
function touchIfSame(output: OutputToWrite): boolean {
  const { data } = output;
  if (data.length === 0) return false;
  let fd: number;
  try {
    fd = openSync(output.path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size !== data.length) return false;
    const there = Buffer.allocUnsafe(data.length);
    if (readSync(fd, there, 0, there.length, 0) !== there.length || !there.equals(data)) return false;
    return writeSync(fd, data, data.length - 1, 1, data.length - 1) === 1;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
