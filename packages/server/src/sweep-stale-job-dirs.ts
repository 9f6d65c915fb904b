import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Job dirs are named so (sandbox.ts); nothing else in TMPDIR is touched. */
export const JOB_DIR_PREFIX = 'sshcc-job-';
/** Since a dir lives as long as its channel: `sshcc-job-<pid of its server>-<random>`. */
const OWNER = new RegExp(`^${JOB_DIR_PREFIX}(\\d+)-`);

/**
 * Removes job dirs a server that died without cleaning up left in `tmp` (a machine that lost power, a
 * watchdog killed with its server): those of this user, untouched for longer than any live job could
 * be (`olderThanMs`: the longest compile plus a margin), and whose server, named in it, is gone. An idle
 * channel's dir is old but in use: its server sets the dir's time at each job, and its pid keeps it. A
 * pid reused since keeps a dead server's dir only until that process ends. Returns the dirs removed.
 */
export async function sweepStaleJobDirs(tmp: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(JOB_DIR_PREFIX) || ownerAlive(name)) continue;
    const path = join(tmp, name);
    try {
      const stat = await lstat(path);
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      if (now - stat.mtimeMs <= olderThanMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove: the next server start tries again
    }
  }
  return removed;
}

function ownerAlive(name: string): boolean {
  const owner = OWNER.exec(name);
  if (owner === null) return false;
  try {
    process.kill(Number(owner[1]), 0);
    return true;
  } catch (err) {
    // Another account's live process: EPERM.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
