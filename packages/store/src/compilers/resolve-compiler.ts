import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join } from 'node:path';

/**
 * The first executable `name` on `searchPath` (absolute directories only: a relative PATH entry would
 * resolve inside the job dir). A candidate that is really sshcc (a masquerade symlink) is skipped, or
 * the volunteer would hand the job to itself.
 */
export function resolveCompiler(name: string, searchPath: string | undefined): string | null {
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate) && !isSshcc(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isSshcc(path: string): boolean {
  try {
    return basename(realpathSync(path)).startsWith('sshcc');
  } catch {
    return false;
  }
}
