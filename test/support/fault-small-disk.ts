// A volunteer TMPDIR on a full file system: a tmpfs of a few KiB, filled by one file. Full, not just
// small: gcc's input streams into its stdin, so a small disk would still hold a small job's object. As
// root it is a real mount on a temp dir (one disk that every server of the volunteer shares, as on a real
// machine), unmounted by remove(). Without root, each server mounts and fills its own in a private user
// and mount namespace (`unshare`), given as the volunteer's server command; nothing outside it changes.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { defaultServerCommand, jobLeftovers } from '@sshcc/testkit';

export interface SmallDisk {
  /** The TMPDIR to give the volunteer. */
  readonly dir: string;
  /** How the volunteer runs sshcc-server: undefined for testkit's default. */
  readonly serverCommand: string | undefined;
  /** 'mount' (root: one shared tmpfs) or 'namespace' (a tmpfs per server process). */
  readonly kind: 'mount' | 'namespace';
  /** What is in the TMPDIR besides the file that fills it (job dirs a server left behind). */
  jobDirs(): string[];
  remove(): void;
}

const FS_NAME = 'sshcc-test-full';
const FILLER = '.sshcc-test-filler';

/** Writes zeros into `dir`/FILLER until the file system has no room left. */
function fill(dir: string): void {
  const fd = openSync(join(dir, FILLER), 'w');
  const block = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * Root only: an empty tmpfs of `sizeKiB` on `dir` (made if need be), a small disk of its own; returns
 * what unmounts it (once). Mounted before a volunteer starts, its mount namespace (testkit's `hide`)
 * holds a copy of the same file system, so the test sees what the volunteer wrote.
 */
export function mountTmpfs(dir: string, sizeKiB: number): () => void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=1777`, FS_NAME, dir]);
  let mounted = true;
  return () => {
    if (!mounted) return;
    // Lazy: a server being killed, or a volunteer's namespace, may still hold it for a moment.
    execFileSync('umount', ['-l', dir]);
    mounted = false;
  };
}

export function smallDisk(parent: string, sizeKiB: number): SmallDisk {
  const dir = join(parent, 'small-tmp');
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) {
    const unmount = mountTmpfs(dir, sizeKiB);
    fill(dir);
    return {
      dir,
      serverCommand: undefined,
      kind: 'mount',
      jobDirs: () => jobDirsIn(dir),
      remove() {
        unmount();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  // head stops at ENOSPC: the disk is then full.
  const mount = `mount -t tmpfs -o size=${sizeKiB}k ${FS_NAME} "$TMPDIR" && { head -c ${sizeKiB * 1024} /dev/zero > "$TMPDIR/${FILLER}" 2>/dev/null; exec ${defaultServerCommand()}; }`;
  return {
    dir,
    serverCommand: `unshare --user --map-root-user --mount sh -c '${mount}'`,
    kind: 'namespace',
    jobDirs: () => jobDirsIn(dir),
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function jobDirsIn(dir: string): string[] {
  return jobLeftovers(dir).filter((path) => path !== join(dir, FILLER));
}
