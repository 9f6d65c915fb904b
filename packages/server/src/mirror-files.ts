// The job's mirror of the client's files: `<root><client path>` for every file the stream came from,
// so the compiler, run in `<root><client cwd>`, finds each by the very name its marker gives.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MirroredFile } from './source-mirror';

/** More files than any real translation unit includes; past it the stream is not trusted to be one. */
const MAX_MIRRORED_FILES = 50_000;

export interface MirrorRoot {
  /** Where the client's `/` is: `<job dir>/root`. */
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

export function mirrorRoot(jobDir: string, clientCwd: string): MirrorRoot {
  const root = join(jobDir, 'root');
  return { root, cwd: join(root, clientCwd) };
}

/**
 * Writes the files (synchronously: one job per server process, and these are small writes to TMPDIR
 * that the compile is waiting on). A path that would leave the root (more `..` than the client's cwd
 * is deep, a hostile marker) is not written. Returns whether every file was: only then can the
 * diagnostics be as the client's own compile would print them.
 */
export function writeMirror(at: MirrorRoot, files: readonly MirroredFile[]): boolean {
  mkdirSync(at.cwd, { recursive: true, mode: 0o700 });
  if (files.length > MAX_MIRRORED_FILES) return false;
  let complete = true;
  // Many files share a dir (/usr/include/...): each is made once.
  const made = new Set<string>([at.cwd]);
  for (const file of files) {
    const path = file.path.startsWith('/') ? join(at.root, file.path) : resolve(at.cwd, file.path);
    if (!path.startsWith(`${at.root}/`) || file.path.includes('\0')) {
      complete = false;
      continue;
    }
    const dirs = [...literalDirs(file.path.startsWith('/') ? at.root : at.cwd, file.path), dirname(path)];
    if (!dirs.every((dir) => dir.startsWith(`${at.root}/`) || dir === at.root)) {
      complete = false;
      continue;
    }
    try {
      for (const dir of dirs) {
        if (made.has(dir)) continue;
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        made.add(dir);
      }
      writeFileSync(path, file.text, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw err;
      // Two markers naming one file two ways (`a/../b.h` and `b.h`): the first stands.
      if (code !== 'EEXIST') complete = false;
    }
  }
  return complete;
}
