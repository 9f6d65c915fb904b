import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWatchdog, type Watchdog } from './watchdog';
import { JOB_DIR_PREFIX } from './sweep-stale-job-dirs';

// Everything jobs leave behind is registered here: their channel's private dir and each compiler's process
// group. Removing them is the jobs' own business, but a signal or an exit on the way must not leave
// either, so the exit path sweeps whatever is still registered, synchronously. A SIGKILL leaves no
// exit path: the watchdog (started with the first job) then does the same from outside.

const liveDirs = new Set<string>();
const liveGroups = new Set<number>();
let watchdog: Watchdog | null = null;

function theWatchdog(): Watchdog {
  watchdog ??= startWatchdog();
  return watchdog;
}

export interface JobDir {
  /** The dir's real path (the compiler's cwd, and what the prefix maps name). */
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * A private dir (mode 0700, mkdtemp's) under $TMPDIR for a channel's jobs (job-workspace.ts). Its name
 * carries this process's pid, so that another server's sweep can tell it is in use however idle.
 */
export async function createJobDir(): Promise<JobDir> {
  const made = await mkdtemp(join(tmpdir(), `${JOB_DIR_PREFIX}${process.pid}-`));
  liveDirs.add(made);
  theWatchdog().watchDir(made);
  let path = made;
  try {
    path = await realpath(made);
  } catch {
    // keep the path as made
  }
  let removing: Promise<void> | null = null;
  return {
    path,
    remove() {
      removing ??= rm(made, { recursive: true, force: true, maxRetries: 3 }).finally(() => {
        liveDirs.delete(made);
        watchdog?.forgetDir(made);
      });
      return removing;
    },
  };
}

export function trackProcessGroup(pid: number): void {
  liveGroups.add(pid);
  theWatchdog().watchGroup(pid);
}

/** Once the group has been killed (or has ended): the pid may be reused from here on. */
export function untrackProcessGroup(pid: number): void {
  liveGroups.delete(pid);
  watchdog?.forgetGroup(pid);
}

/** SIGKILL to a whole process group: the driver, cc1, as, whatever they started. */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Last resort on the way out: kill every compiler still running and remove every job dir. */
export function sweepSync(): void {
  for (const pid of liveGroups) killProcessGroup(pid);
  liveGroups.clear();
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // nothing more can be done on the way out
    }
  }
  liveDirs.clear();
  // All done here: the watchdog must not act on names that may be reused once this process is gone.
  watchdog?.disarm();
  watchdog = null;
}
