import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { MasqueradeFinding, MasqueradeLinkFinding } from '@sshcc/core';
import { isExecutableFile, MASQUERADE_COMPILERS, tryRealpath as realPath, tryStat as statOf } from '../masquerade';

// Masquerade folders as a build meets them: which PATH lists, where, what their links lead to, and what
// PATH finds before them. A folder counts as one when a compiler name in it leads to an sshcc; ccache's
// folder (links to ccache) is told apart because the order of the two matters.

export interface MasqueradeScan {
  /** The PATH entries, as the client's PATH lists them. */
  readonly path: readonly string[];
  readonly cwd: string;
  /** This sshcc (the shim or launcher). */
  readonly self: string;
  /** Folders named by the user, checked even when PATH does not list them. */
  readonly named: readonly string[];
}

type Leads = 'self' | 'other-sshcc' | 'ccache' | 'elsewhere' | 'dangling' | 'absent';

export function findMasqueradeDirs(scan: MasqueradeScan): MasqueradeFinding[] {
  const entries = scan.path.map((entry) => (entry === '' ? scan.cwd : isAbsolute(entry) ? entry : resolve(scan.cwd, entry)));
  const self = { real: realPath(scan.self), stats: statOf(scan.self) };
  const leadsTo = (file: string): Leads => classify(file, self);
  const onPath = entries.filter((dir) => MASQUERADE_COMPILERS.some((name) => isSshcc(leadsTo(join(dir, name)))));
  const dirs = [...new Set([...scan.named.map((dir) => resolve(scan.cwd, dir)), ...onPath])];
  return dirs.map((dir) => {
    const index = entries.findIndex((entry) => sameDir(entry, dir));
    const links = MASQUERADE_COMPILERS.map((name): MasqueradeLinkFinding => {
      const path = join(dir, name);
      const leads = leadsTo(path);
      return { name, path, state: leads === 'ccache' ? 'elsewhere' : leads, target: linkTarget(path) };
    });
    const ours = links.filter((link) => isSshcc(link.state)).map((link) => link.name);
    const before = index === -1 ? [] : entries.slice(0, index);
    return {
      dir,
      pathIndex: index === -1 ? null : index,
      links,
      // ccache's links before sshcc's are the documented order: ccache calls sshcc on a miss.
      shadowedBy: ours.flatMap((name) => {
        const found = before.map((entry) => join(entry, name)).find((file) => isExecutableFile(file) && leadsTo(file) === 'elsewhere');
        return found === undefined ? [] : [{ name, path: found }];
      }),
      ccacheAfter: index === -1 ? null : (entries.slice(index + 1).find((entry) => ours.some((name) => leadsTo(join(entry, name)) === 'ccache')) ?? null),
    };
  });
}

function isSshcc(leads: Leads): boolean {
  return leads === 'self' || leads === 'other-sshcc';
}

/** Where a compiler name in a folder leads: this sshcc (by link or hard link), another, ccache, else. */
function classify(file: string, self: { readonly real: string | undefined; readonly stats: Stats | undefined }): Leads {
  let link;
  try {
    link = lstatSync(file);
  } catch {
    return 'absent';
  }
  const real = realPath(file);
  if (real === undefined) return link.isSymbolicLink() ? 'dangling' : 'absent';
  const stats = statOf(file);
  if (real === self.real || (stats !== undefined && stats.dev === self.stats?.dev && stats.ino === self.stats.ino)) return 'self';
  const name = basename(real);
  if (name.startsWith('sshcc')) return 'other-sshcc';
  return name === 'ccache' ? 'ccache' : 'elsewhere';
}

function linkTarget(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function sameDir(a: string, b: string): boolean {
  return a === b || (realPath(a) ?? a) === (realPath(b) ?? b);
}
