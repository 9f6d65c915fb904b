import { accessSync, constants, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** execvp's search path when PATH is unset (glibc's default, with /usr/local/bin first as in shells). */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface FindCompilerOptions {
  /** PATH of the client that asked (not the agent's own). */
  readonly path: string | undefined;
  /** The client's working directory: relative names and relative PATH entries resolve against it. */
  readonly cwd: string;
  /** The sshcc executable (shim or launcher); every path that is this file is skipped. */
  readonly self: string;
  /** Given, every path the look-up inspected is added to it: what its answer depends on. */
  readonly probed?: string[];
}

/**
 * The compiler `name` means, skipping sshcc itself: a path is used as is unless it is sshcc (a
 * masquerade link named on the command line), and then, like a bare name, it is looked up on PATH,
 * taking the first executable that is not sshcc. "Is sshcc" compares device and inode (links, hard
 * links) and real paths, so a masquerade folder listed on PATH any number of times is passed over.
 */
export function findRealCompiler(name: string, options: FindCompilerOptions): string | undefined {
  const self = identify(options.self);
  // No self ('' where no client file is known) is no file to depend on.
  if (options.self !== '') options.probed?.push(options.self);
  if (name.includes('/')) {
    const candidate = resolve(options.cwd, name);
    options.probed?.push(candidate);
    if (!isExecutableFile(candidate)) return undefined;
    if (!isSelf(candidate, self)) return candidate;
  }
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base === '') return undefined;
  for (const entry of (options.path ?? DEFAULT_PATH).split(':')) {
    const folder = entry === '' ? options.cwd : isAbsolute(entry) ? entry : resolve(options.cwd, entry);
    const candidate = join(folder, base);
    options.probed?.push(candidate);
    if (isExecutableFile(candidate) && !isSelf(candidate, self)) return candidate;
  }
  return undefined;
}

interface Identity {
  readonly stats: Stats | undefined;
  readonly real: string | undefined;
}

function identify(path: string): Identity {
  return { stats: tryStat(path), real: tryRealpath(path) };
}

function isSelf(candidate: string, self: Identity): boolean {
  const stats = tryStat(candidate);
  if (stats && self.stats && stats.dev === self.stats.dev && stats.ino === self.stats.ino) return true;
  const real = tryRealpath(candidate);
  return real !== undefined && real === self.real;
}

/** A regular file this process may execute. */
export function isExecutableFile(path: string): boolean {
  const stats = tryStat(path);
  if (!stats?.isFile()) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function tryStat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function tryRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
