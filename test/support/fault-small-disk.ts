// A volunteer TMPDIR on a tiny file system, to fill it: a tmpfs of a few KiB. As root it is a real mount
// on a temp dir (one small disk that every server of the volunteer shares, as on a real machine),
// unmounted by remove(). Without root, each server mounts its own in a private user and mount
// namespace (`unshare`), given as the volunteer's server command; nothing outside it changes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultServerCommand } from '@sshcc/testkit';

export interface SmallDisk {
  /** The TMPDIR to give the volunteer. */
  readonly dir: string;
  /** How the volunteer runs sshcc-server: undefined for testkit's default. */
  readonly serverCommand: string | undefined;
  /** 'mount' (root: one shared tmpfs) or 'namespace' (a tmpfs per server process). */
  readonly kind: 'mount' | 'namespace';
  remove(): void;
}

const FS_NAME = 'sshcc-test-full';

export function smallDisk(parent: string, sizeKiB: number): SmallDisk {
  const dir = join(parent, 'small-tmp');
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=1777`, FS_NAME, dir]);
    let mounted = true;
    return {
      dir,
      serverCommand: undefined,
      kind: 'mount',
      remove() {
        if (mounted) {
          // Lazy: a server being killed may still hold it open for a moment.
          execFileSync('umount', ['-l', dir]);
          mounted = false;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const mount = `mount -t tmpfs -o size=${sizeKiB}k ${FS_NAME} "$TMPDIR" && exec ${defaultServerCommand()}`;
  return {
    dir,
    serverCommand: `unshare --user --map-root-user --mount sh -c '${mount}'`,
    kind: 'namespace',
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
