import { watch, statSync, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

/** How stale a file's stamp may be where its directory cannot be watched (absent, or no inotify). */
const FALLBACK_STAT_MS = 1000;

export interface WatchedFilesOptions {
  /** Only where a directory cannot be watched: the file's stamp (default statSync's mtime and size). */
  readonly stat?: (file: string) => string;
  readonly now?: () => number;
}

interface Watched {
  version: number;
  watcher: FSWatcher | null;
  /** Fallback only: the stamp last seen and when it was taken. */
  stamp: string;
  checkedAt: number;
}

/**
 * A stamp per file that changes when the file may have changed, asked on every compile at the cost of a
 * map lookup: the file's directory is watched (an editor that saves by writing a temp file and renaming
 * it over the old one replaces the inode, which a watch on the file itself would miss). Where the
 * directory cannot be watched (it does not exist yet, say), the file is stat'ed at most once a second,
 * and the watch is tried again then.
 */
export class WatchedFiles {
  private readonly files = new Map<string, Watched>();
  private readonly stat: (file: string) => string;
  private readonly now: () => number;

  constructor(options: WatchedFilesOptions = {}) {
    this.stat = options.stat ?? statStamp;
    this.now = options.now ?? Date.now;
  }

  /** Equal for two asks only if no change to `file` was seen between them. */
  stampOf(file: string): string {
    let watched = this.files.get(file);
    if (!watched) {
      watched = { version: 0, watcher: null, stamp: '', checkedAt: -Infinity };
      this.files.set(file, watched);
      this.startWatch(file, watched);
    }
    if (watched.watcher === null && this.now() - watched.checkedAt >= FALLBACK_STAT_MS) {
      watched.checkedAt = this.now();
      this.startWatch(file, watched);
      const stamp = this.stat(file);
      if (stamp !== watched.stamp) [watched.stamp, watched.version] = [stamp, watched.version + 1];
    }
    return `${watched.version}`;
  }

  close(): void {
    for (const watched of this.files.values()) watched.watcher?.close();
    this.files.clear();
  }

  private startWatch(file: string, watched: Watched): void {
    if (watched.watcher !== null) return;
    const name = path.basename(file);
    try {
      const watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
        // No name (some platforms): any change in the directory may be this file's.
        if (changed === null || changed === name) watched.version++;
      });
      watcher.on('error', () => {
        // The directory went away: back to stat'ing until it can be watched again.
        watcher.close();
        watched.watcher = null;
        watched.version++;
      });
      watched.watcher = watcher;
      // The file may have changed between the last stat and the watch's start.
      watched.version++;
    } catch {
      // not watchable now: the fallback stats it
    }
  }
}

function statStamp(file: string): string {
  try {
    const stats = statSync(file);
    return `${stats.ino}@${stats.mtimeMs}:${stats.size}`;
  } catch {
    return 'absent';
  }
}
