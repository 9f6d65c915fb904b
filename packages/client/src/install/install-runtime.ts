import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { SshccError } from '@sshcc/core';
import type { InstallTarget } from './install-target';
import type { NodeRuntime } from './local-node-runtime';
import { mustRun } from './must-run';
import { runtimeFolderName, runtimeSums } from './runtime-manifest';

// A node runtime on a volunteer, stored like a pack: `runtimes/node-<id>/` under the install, where id is
// the hash of its manifest. It is sent only when no verified copy is there, into a temp folder, checked
// file by file against the manifest (sha256sum), made read-only and renamed into place, so a server never
// starts from a half-written or altered node.

const gzipAsync = promisify(gzip);

export interface InstalledRuntime {
  /** The runtime's node, absolute. */
  readonly node: string;
  /** Its `lib/`, when the node needs it on LD_LIBRARY_PATH; else null. */
  readonly libraryPath: string | null;
  /** Bytes that crossed to the volunteer (gzip-compressed where it has gzip); 0 when it was there. */
  readonly sentBytes: number;
  /** What those files are unpacked; 0 when nothing was sent. */
  readonly unpackedBytes: number;
}

export interface RuntimeSite {
  /** `<install>/runtimes`. */
  readonly runtimesDir: string;
  /** Whether `gzip -d` runs there: then files cross compressed (the node binary shrinks ~2.4×). */
  readonly gzip: boolean;
}

export async function installRuntime(target: InstallTarget, runtime: NodeRuntime, site: RuntimeSite): Promise<InstalledRuntime> {
  const folder = posix.join(site.runtimesDir, runtimeFolderName(runtime.id));
  const placed = { node: posix.join(folder, 'bin', 'node'), libraryPath: runtime.hasLibraries ? posix.join(folder, 'lib') : null };
  const sums = Buffer.from(runtimeSums(runtime.files));
  if (await verifies(target, folder, sums)) return { ...placed, sentBytes: 0, unpackedBytes: 0 };

  const temp = posix.join(site.runtimesDir, `.${runtimeFolderName(runtime.id)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let sentBytes = 0;
  try {
    const folders = [...new Set(runtime.files.map((file) => posix.dirname(posix.join(temp, file.path))))];
    await mustRun(target, 'create the runtime folder', 'mkdir -p "$@"', folders);
    for (const file of runtime.files) {
      const path = posix.join(temp, file.path);
      if (site.gzip) {
        const packed = await gzipAsync(file.bytes, { level: 1 });
        await mustRun(target, `unpack ${file.path} of the node runtime`, 'gzip -dc > "$1" && chmod "$2" "$1"', [path, file.mode.toString(8)], packed);
        sentBytes += packed.length;
      } else {
        await target.writeFile(path, file.bytes, file.mode);
        sentBytes += file.bytes.length;
      }
    }
    if (!(await verifies(target, temp, sums))) throw new SshccError('remote-failed', `the node runtime sent to ${target.where} does not match its sha256 sums`);
    // A folder already there failed the check above: a damaged copy, replaced whole by the checked one.
    await mustRun(target, 'move the node runtime into place', 'mv -T "$1" "$2" 2>/dev/null || { rm -rf "$2" && mv -T "$1" "$2"; }', [temp, folder]);
  } catch (err) {
    await target.run('rm -rf "$1"', [temp]).catch(() => undefined);
    throw err;
  }
  return { ...placed, sentBytes, unpackedBytes: runtime.files.reduce((sum, file) => sum + file.size, 0) };
}

/** Every file of the runtime is in `folder` with its manifest hash (and nothing is read from the folder's own say-so). */
async function verifies(target: InstallTarget, folder: string, sums: Buffer): Promise<boolean> {
  const result = await target.run('cd "$1" 2>/dev/null || exit 3; command -v sha256sum >/dev/null || exit 4; sha256sum -c - >/dev/null 2>&1', [folder], sums);
  if (result.code === 4) throw new SshccError('remote-failed', `${target.where} has no sha256sum to check the node runtime with`, { hint: 'install coreutils there' });
  return result.code === 0;
}
