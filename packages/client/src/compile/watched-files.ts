import { statSync } from 'node:fs';
import type { PathWatches, Validity } from './path-watches';

interface Watched {
  readonly version: number;
  readonly validity: Validity;
}

/**
 * A stamp per file that changes when the file may have changed, asked on every compile at the cost of a
 * map lookup while the file is watched (PathWatches: its directory, so an editor's save by rename is seen,
 * and the directories above it, so one created later is seen too). Where it cannot be watched, the stamp
 * is the file's stat, taken on every ask.
 */
export class WatchedFiles {
  private readonly files = new Map<string, Watched>();
  /** Never reused: a stamp that came back would match a route keyed by an older state of the file. */
  private versions = 0;

  constructor(
    private readonly watches: PathWatches,
    /** Only where the file cannot be watched: its stamp (default statSync's inode, mtime and size). */
    private readonly stat: (file: string) => string = statStamp,
  ) {}

  /** Equal for two asks only if no change to `file` was seen between them. */
  stampOf(file: string): string {
    const known = this.files.get(file);
    if (known?.validity.valid) return `watched ${known.version}`;
    const validity = this.watches.cover([file]);
    if (validity === null) {
      this.files.delete(file);
      return `stat ${this.stat(file)}`;
    }
    const version = ++this.versions;
    this.files.set(file, { version, validity });
    return `watched ${version}`;
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
