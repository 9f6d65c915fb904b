import { closeSync, openSync, readSync } from 'node:fs';
import type { SshccKind } from '@sshcc/core';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** The second line of the launcher packages/client/build/write-launcher.js writes. */
const LAUNCHER_MARK = '# sshcc launcher written by packages/client/build';
/** The second line of an installed package's launcher (packages/client/build/package-launcher.js). */
const PACKAGE_MARK = '# sshcc, installed from its package';

/**
 * What an `sshcc` file is, from its first bytes: the build writes the C shim (an ELF executable) or,
 * where no C compiler built it, its sh launcher, which starts Node for every compile; an installed
 * package has its own launcher, which compiles the shim on first use and then runs it.
 */
export function sshccKind(path: string): SshccKind {
  let head: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(256);
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return 'missing';
  }
  if (head.subarray(0, 4).equals(ELF_MAGIC)) return 'shim';
  const mark = head.toString('utf8').split('\n')[1] ?? '';
  if (mark.startsWith(LAUNCHER_MARK)) return 'launcher';
  return mark.startsWith(PACKAGE_MARK) ? 'package' : 'other';
}
