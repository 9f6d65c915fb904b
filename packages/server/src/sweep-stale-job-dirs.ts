import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Job dirs are named so (sandbox.ts); nothing else in TMPDIR is touched. */
const JOB_DIR_PREFIX = 'sshcc-job-';

/**
 * Removes job dirs a server that died without cleaning up left in `tmp` (a machine that lost power, a
 * watchdog killed with its server): those of this user, untouched for longer than any live job could
 * be (`olderThanMs`: the longest compile plus a margin). Other servers of the same user share the
 * folder, so age, not absence of a live server, decides. Returns the dirs removed.
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
    if (!name.startsWith(JOB_DIR_PREFIX)) continue;
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
