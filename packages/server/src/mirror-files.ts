// A channel's mirror of the client's files: `<root><client path>` for every file the stream came from,
// so the compiler, run in `<root><client cwd>`, finds each by the very name its marker gives.
import { linkSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MirroredFile } from './source-mirror';

/** More files than any real translation unit includes; past it the stream is not trusted to be one. */
const MAX_MIRRORED_FILES = 50_000;

export interface MirrorRoot {
  /** Where the client's `/` is: `<workspace>/root`. */
  readonly root: string;
  /** The compiler's cwd: the client's, under the root. */
  readonly cwd: string;
}

/**
 * The kernel resolves `src/../inc/m.h` through `src`, so each directory a `..` steps out of must exist,
 * though no mirrored file lies in it.
 */
function literalDirs(base: string, path: string): string[] {
  const parts = path.split('/');
  const dirs: string[] = [];
  for (let i = 0; i + 1 < parts.length; i++) {
    if (parts[i + 1] === '..' && parts[i] !== '..' && parts[i] !== '.' && parts[i] !== '') dirs.push(resolve(base, parts.slice(0, i + 1).join('/').replace(/^\//, '')));
  }
  return dirs;
}

/**
 * A channel's mirror, kept from one job to the next: its jobs come from one build, so most of a job's
 * files (the project's headers, the system's) are the last job's too, byte for byte. Each job's write
 * leaves the tree holding exactly that job's files, as a fresh tree would, but writes only the files
 * that changed and makes each dir once. Measured on ext4 under make -j16: every new inode costs a
 * search of the inode bitmap past the recently deleted ones (mkdir ~0.45 ms each, 11 per trivial job),
 * which made the job dir and its mirror half the server's CPU per job. For the same reason a changed
 * file is rewritten in place, and a file the job no longer needs (the last job's own source) is moved
 * aside and given the name of a new one (this job's source) rather than deleted beside a created one.
 */
export class MirrorTree {
  /** Path → bytes of every file the tree holds: the last job's, nothing else. */
  private readonly held = new Map<string, Buffer>();
  /** Dirs made so far. They stay: an empty dir quotes nothing. */
  private readonly made = new Set<string>();
  /** Files of an earlier job, moved out of the tree (`spareDir`) for a new name to take. */
  private readonly spares: string[] = [];
  private sparesMade = 0;

  constructor(
    readonly root: string,
    private readonly spareDir: string,
  ) {}

  /** Where the client's cwd is in this tree; made here, since the compiler runs in it. */
  at(clientCwd: string): MirrorRoot {
    const at = { root: this.root, cwd: join(this.root, clientCwd) };
    this.makeDir(at.cwd);
    return at;
  }

  /** Whether `path` is the tree's own (a mirrored file or a dir it made), not something a job left. */
  owns(path: string): boolean {
    return this.held.has(path) || this.made.has(path);
  }

  /**
   * Makes the tree hold `files` and nothing else (synchronously: one job per channel, and these are
   * small writes that the compile is waiting on). A path that would leave the root (more `..` than the
   * client's cwd is deep, a hostile marker) is not written. Returns whether every file was: only then
   * can the diagnostics be as the client's own compile would print them.
   */
  write(at: MirrorRoot, files: readonly MirroredFile[]): boolean {
    try {
      return this.writeFiles(at, files);
    } finally {
      for (const spare of this.spares.splice(0)) rmSync(spare, { force: true });
    }
  }

  private writeFiles(at: MirrorRoot, files: readonly MirroredFile[]): boolean {
    if (files.length > MAX_MIRRORED_FILES) {
      this.keepOnly(new Set());
      return false;
    }
    let complete = true;
    const targets = new Map<string, { dirs: string[]; text: Buffer }>();
    for (const file of files) {
      const path = file.path.startsWith('/') ? join(at.root, file.path) : resolve(at.cwd, file.path);
      const dirs = [...literalDirs(file.path.startsWith('/') ? at.root : at.cwd, file.path), dirname(path)];
      if (!path.startsWith(`${at.root}/`) || file.path.includes('\0') || !dirs.every((dir) => dir.startsWith(`${at.root}/`) || dir === at.root)) {
        complete = false;
        continue;
      }
      // Two markers naming one file two ways (`a/../b.h` and `b.h`): the first stands.
      if (!targets.has(path)) targets.set(path, { dirs, text: file.text });
    }
    // First, so that no file of an earlier job is ever quoted for this one, nor stands where this job needs a dir.
    this.keepOnly(new Set(targets.keys()));
    for (const [path, { dirs, text }] of targets) {
      try {
        for (const dir of dirs) this.makeDir(dir);
        this.put(path, text);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw err;
        complete = false;
      }
    }
    return complete;
  }

  private keepOnly(wanted: ReadonlySet<string>): void {
    for (const path of this.held.keys()) if (!wanted.has(path)) this.setAside(path);
  }

  private put(path: string, text: Buffer): void {
    const held = this.held.get(path);
    if (held?.equals(text)) return;
    // The tree's own file is rewritten where it is; anything else at a new name is never written through ('wx').
    const ours = held !== undefined || this.takeSpare(path);
    writeFileSync(path, text, ours ? { flag: 'w' } : { flag: 'wx', mode: 0o600 });
    this.held.set(path, text);
  }

  private setAside(path: string): void {
    this.held.delete(path);
    const spare = join(this.spareDir, String(this.sparesMade++));
    try {
      this.makeDir(this.spareDir);
      renameSync(path, spare);
      this.spares.push(spare);
    } catch {
      rmSync(path, { force: true });
    }
  }

  /** Gives a spare the name `path`; false when there is none, or something else stands there. */
  private takeSpare(path: string): boolean {
    const spare = this.spares.pop();
    if (spare === undefined) return false;
    try {
      // A link, not a rename: a rename would replace whatever stood at `path`.
      linkSync(spare, path);
    } catch {
      rmSync(spare, { force: true });
      return false;
    }
    unlinkSync(spare);
    return true;
  }

  private makeDir(dir: string): void {
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.made.add(dir);
  }
}
