import { statfs } from 'node:fs/promises';

/**
 * Below this much free space in the job dir's file system, a failed compile is blamed on the disk.
 * A compile's temporary files and object are rarely larger; and a volunteer this full should not be
 * given jobs anyway.
 */
export const LOW_SPACE_BYTES = 4 * 1024 * 1024;

/** What gcc, cc1 and as print for ENOSPC (strerror in the C locale, which most volunteers use). */
const NO_SPACE_TEXT = 'No space left on device';

/**
 * Why a failed compile is the volunteer's fault (its TMPDIR is full), or null when it is the source's.
 * A full disk must come back as `remote-failed`, so the agent compiles elsewhere: passed on as a compile
 * error it would be rerun here as if the source were wrong, and the host would be tried again and again.
 */
export async function noSpaceLeft(jobDir: string, stderr: Buffer): Promise<string | null> {
  let free: number | null = null;
  try {
    const stats = await statfs(jobDir);
    free = Number(stats.bavail) * Number(stats.bsize);
  } catch {
    // the file system cannot say; the compiler's own words may
  }
  const saidSo = stderr.includes(NO_SPACE_TEXT);
  if (!saidSo && (free === null || free >= LOW_SPACE_BYTES)) return null;
  const left = free === null ? '' : ` (${free} bytes free)`;
  return `no space left in this server's TMPDIR${left}`;
}
