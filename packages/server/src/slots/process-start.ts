import { readFileSync } from 'node:fs';

/**
 * A process's start time (clock ticks since boot, /proc/<pid>/stat field 22), which with its pid names
 * one process for good: a pid reused after a crash has another. Null when /proc does not say.
 */
export function processStart(pid: number | 'self'): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces and ')': count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

/** Whether the process that was `pid` started at `start` still runs (of any user: EPERM means it exists). */
export function processAlive(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStart(pid);
  // Unreadable (/proc mounted hidepid): alive, as kill said; a wrong guess only leaves a slot taken.
  return now === null || now === start;
}
