import { lstatSync, readlinkSync, statfsSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

/** Directories watched at once (one inotify watch each, from the user's shared allowance); past it, paths go unwatched. */
export const MAX_WATCHED_DIRS = 128;
/** Symbolic links followed in one path before giving up on it, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

/**
 * statfs magic numbers of filesystems whose files another machine may change: inotify sees only this
 * machine's changes there, so a directory on one is stat'ed per compile, as if it could not be watched.
 * NFS, SMB/CIFS (both magics), FUSE (sshfs, virtiofs), 9p, Ceph, AFS, Coda, OCFS2, GFS2, Lustre.
 */
const SHARED_FILESYSTEMS = new Set([
  0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x65735546, 0x01021997, 0x00c36400, 0x5346414f, 0x73757245, 0x7461636f, 0x01161970, 0x0bd00bd0,
]);

/** fs.watch as PathWatches uses it; tests give one that fails. */
export type WatchDir = (dir: string, listener: (event: string, name: string | null) => void) => FSWatcher;

export interface PathWatchesOptions {
  readonly maxDirs?: number;
  readonly watch?: WatchDir;
  /** Whether another machine may change files in `dir` (default: its filesystem is in SHARED_FILESYSTEMS). */
  readonly shared?: (dir: string) => boolean;
}

/** One directory entry a path's resolution looked at: the directory and the name in it. */
export type Step = readonly [dir: string, name: string];

/**
 * True until a change was seen to anything the covered paths' resolution looked at. The change is seen
 * when the agent's event loop delivers its inotify event: a compile asked for after the change (a new
 * connection, at least one loop turn later) always comes after it.
 */
export class Validity {
  private subscriptions: Array<() => void> = [];
  private live = true;

  get valid(): boolean {
    return this.live;
  }

  /** Marks it stale and leaves every directory's list. */
  end(): void {
    this.live = false;
    for (const leave of this.subscriptions) leave();
    this.subscriptions = [];
  }

  /** @internal */
  subscribed(leave: () => void): void {
    this.subscriptions.push(leave);
  }
}

interface WatchedDir {
  readonly watcher: FSWatcher;
  /** The names some Validity depends on; events for other names are ignored. */
  readonly byName: Map<string, Set<Validity>>;
}

/**
 * Watches for what could change the outcome of looking paths up, so that a result worked out from them
 * can be kept until then instead of stat'ed again on every compile. The entries that decide it
 * (resolutionSteps) are watched by their directory, each for its name: a file written, chmod'ed, replaced
 * by a rename or removed, a symbolic link retargeted, a missing directory created (its parent sees the new
 * name), the directory itself removed. Where some directory cannot be watched (no permission, no inotify,
 * too many watched already, a network filesystem another machine may change), `cover` says so and the
 * caller looks the paths up every time, as it did without a watch.
 *
 * Not seen: a directory above a watched one renamed or mounted over (the watch follows the inode).
 */
export class PathWatches {
  private readonly dirs = new Map<string, WatchedDir>();
  private readonly maxDirs: number;
  private readonly watchDir: WatchDir;
  private readonly shared: (dir: string) => boolean;

  constructor(options: PathWatchesOptions = {}) {
    this.maxDirs = options.maxDirs ?? MAX_WATCHED_DIRS;
    this.watchDir = options.watch ?? ((dir, listener) => watch(dir, { persistent: false }, listener));
    this.shared = options.shared ?? onSharedFilesystem;
  }

  /**
   * A Validity for what `paths` resolve to now; null where that cannot be watched. Ask it before looking
   * the paths up (or look them up again after): a change between the look-up and the watch is not seen.
   */
  cover(paths: readonly string[]): Validity | null {
    const steps = resolutionSteps(paths);
    const validity = new Validity();
    for (const [dir, name] of steps) {
      const watched = this.watched(dir);
      if (watched === null) {
        validity.end();
        return null;
      }
      let set = watched.byName.get(name);
      if (set === undefined) watched.byName.set(name, (set = new Set()));
      const subscribers = set;
      subscribers.add(validity);
      validity.subscribed(() => {
        subscribers.delete(validity);
        if (subscribers.size === 0 && watched.byName.get(name) === subscribers) watched.byName.delete(name);
      });
    }
    // A link retargeted while the watches were being set up: what was watched may not be what resolves now.
    if (!sameSteps(steps, resolutionSteps(paths))) {
      validity.end();
      return null;
    }
    return validity;
  }

  close(): void {
    for (const dir of [...this.dirs.keys()]) this.forget(dir);
  }

  private watched(dir: string): WatchedDir | null {
    const known = this.dirs.get(dir);
    if (known !== undefined) return known;
    if (this.dirs.size >= this.maxDirs) this.dropUnused();
    if (this.dirs.size >= this.maxDirs || this.shared(dir)) return null;
    const self = path.basename(dir);
    const byName = new Map<string, Set<Validity>>();
    let watcher: FSWatcher;
    try {
      watcher = this.watchDir(dir, (_event, name) => {
        // No name, or the directory's own (libuv names a change to the watched directory itself so):
        // anything in it may have changed, and a directory removed or moved is watched afresh next time.
        if (name === null || name === self) this.forget(dir);
        else endAll(byName.get(name));
      });
    } catch {
      return null;
    }
    watcher.on('error', () => this.forget(dir));
    const watched = { watcher, byName };
    this.dirs.set(dir, watched);
    return watched;
  }

  private forget(dir: string): void {
    const watched = this.dirs.get(dir);
    if (watched === undefined) return;
    this.dirs.delete(dir);
    watched.watcher.close();
    for (const set of [...watched.byName.values()]) endAll(set);
  }

  private dropUnused(): void {
    for (const [dir, watched] of this.dirs) if (watched.byName.size === 0) this.forget(dir);
  }
}

function onSharedFilesystem(dir: string): boolean {
  try {
    return SHARED_FILESYSTEMS.has(statfsSync(dir).type);
  } catch {
    return true; // not even statfs: nothing to trust a watch on
  }
}

function endAll(set: Set<Validity> | undefined): void {
  if (set !== undefined) for (const validity of [...set]) validity.end();
}

/**
 * The directory entries whose change could change what `paths` resolve to, as the kernel walks them:
 * each path's last entry, each symbolic link on the way (its target walked in turn from where the link
 * sits), and the first missing entry or the file where a directory was needed (its directory's watch
 * sees it appear). Directories passed through are not watched themselves: events in a busy one (/tmp, a
 * home) would wake the agent for nothing on every compile. One removed takes the last directory with
 * it, whose watch sees that; one renamed is not seen.
 */
export function resolutionSteps(paths: readonly string[]): Step[] {
  const steps = new Map<string, Step>();
  for (const start of paths) {
    for (const step of stepsOf(start)) steps.set(`${step[0]}\0${step[1]}`, step);
  }
  return [...steps.values()];
}

function stepsOf(start: string): Step[] {
  const steps: Step[] = [];
  let pending = path.resolve(start).split('/').filter(Boolean);
  let dir = '/';
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '.') continue;
    if (name === '..') {
      dir = path.dirname(dir);
      continue;
    }
    const step: Step = [dir, name];
    const full = path.join(dir, name);
    let stats;
    try {
      stats = lstatSync(full);
    } catch {
      return [...steps, step];
    }
    if (stats.isSymbolicLink()) {
      steps.push(step);
      if (++links > MAX_LINKS) return steps;
      let target: string;
      try {
        target = readlinkSync(full);
      } catch {
        return steps;
      }
      if (target.startsWith('/')) dir = '/';
      pending = [...target.split('/').filter(Boolean), ...pending];
    } else if (pending.length === 0 || !stats.isDirectory()) {
      return [...steps, step];
    } else {
      dir = full;
    }
  }
  return steps;
}

function sameSteps(a: readonly Step[], b: readonly Step[]): boolean {
  return a.length === b.length && a.every((step, i) => step[0] === b[i]?.[0] && step[1] === b[i]?.[1]);
}
