import { lstatSync, mkdirSync, readlinkSync, realpathSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MASQUERADE_COMPILERS } from './compiler-names';

export type LinkOutcome =
  | { readonly name: string; readonly path: string; readonly action: 'created' | 'kept' | 'removed' }
  | { readonly name: string; readonly path: string; readonly action: 'skipped'; readonly why: string };

/**
 * `sshcc masquerade DIR`: links each compiler name in DIR to sshcc, so that a build finding `gcc`
 * in DIR (first on PATH) runs sshcc, which then runs the real gcc further down PATH. An existing
 * entry that is not already such a link is left alone and reported.
 */
export function makeMasqueradeLinks(dir: string, target: string, names: readonly string[] = MASQUERADE_COMPILERS): LinkOutcome[] {
  mkdirSync(dir, { recursive: true });
  const absoluteTarget = resolve(target);
  return names.map((name) => {
    const path = join(dir, name);
    const existing = describeExisting(path, absoluteTarget);
    if (existing === 'ours') return { name, path, action: 'kept' };
    if (existing !== 'absent') return { name, path, action: 'skipped', why: existing };
    symlinkSync(absoluteTarget, path);
    return { name, path, action: 'created' };
  });
}

/** Undoes makeMasqueradeLinks: removes only links that lead to sshcc. */
export function removeMasqueradeLinks(dir: string, target: string, names: readonly string[] = MASQUERADE_COMPILERS): LinkOutcome[] {
  const absoluteTarget = resolve(target);
  return names.map((name) => {
    const path = join(dir, name);
    const existing = describeExisting(path, absoluteTarget);
    if (existing === 'absent') return { name, path, action: 'skipped', why: 'not there' };
    if (existing !== 'ours') return { name, path, action: 'skipped', why: existing };
    unlinkSync(path);
    return { name, path, action: 'removed' };
  });
}

function describeExisting(path: string, target: string): 'absent' | 'ours' | string {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return 'absent';
  }
  if (!stats.isSymbolicLink()) return 'a file that is not a link to sshcc is in the way';
  if (sameFile(path, target)) return 'ours';
  return `a link to ${readlinkSync(path)} is in the way`;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
