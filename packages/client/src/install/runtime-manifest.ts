import { createHash } from 'node:crypto';
import { posix } from 'node:path';

// What a node runtime for a volunteer is, as data: which of the client node's shared libraries go with
// it, whether it can run on a machine at all, and its content address. No I/O here.

/** One file of a runtime, by its path inside the runtime folder (`bin/node`, `lib/libnode.so.109`). */
export interface RuntimeFile {
  readonly path: string;
  readonly sha256: string;
  readonly mode: number;
  readonly size: number;
}

/**
 * glibc's own libraries, libstdc++ and libgcc_s: every Linux that can run this node at all has them (apt
 * and dnf need them), and they must match the volunteer's loader, so they are never shipped. Anything else
 * the node loads (Debian's libnode, libuv, icu, openssl) may be missing there, so it goes along.
 */
const SYSTEM_LIBRARY = /^(linux-vdso|linux-gate|ld-linux[^/]*|ld64|libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libmvec|libstdc\+\+|libgcc_s)\.so(\.|$)/;

/** The libraries in `ldd` output to ship with a node: resolved paths of the non-system ones, in order. */
export function runtimeLibraries(lddOutput: string): string[] {
  const picked: string[] = [];
  for (const line of lddOutput.split('\n')) {
    const match = /^\s*(\S+) => (\/\S+) \(0x[0-9a-f]+\)\s*$/.exec(line);
    if (match === null) continue;
    const [, name, path] = match as unknown as [string, string, string];
    if (!SYSTEM_LIBRARY.test(name) && !picked.includes(path)) picked.push(path);
  }
  return picked;
}

/** `uname -m` for a Node `process.arch`, for the architectures Node ships Linux builds of. */
const MACHINE_OF_ARCH: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loongarch64' };

/**
 * Why this machine's node cannot run on a volunteer whose `uname -s`/`uname -m` are `system`/`machine`, or
 * null when it can (the libc is checked after upload, by running it).
 */
export function runtimeMismatch(client: { platform: string; arch: string }, remote: { system: string; machine: string }): string | null {
  const clientMachine = MACHINE_OF_ARCH[client.arch];
  if (client.platform !== 'linux' || clientMachine === undefined) return `this machine's node is built for ${client.platform}-${client.arch}, not a Linux one sshcc can ship`;
  if (remote.system !== 'Linux') return `it runs ${remote.system || 'an unknown system'}, and this machine's node is a Linux one`;
  if (remote.machine !== clientMachine) return `it is ${remote.machine || 'of an unknown architecture'}, and this machine's node is ${clientMachine}`;
  return null;
}

/** Lines `sha256  path`, sorted by path: what `sha256sum -c -` checks inside the runtime folder. */
export function runtimeSums(files: readonly RuntimeFile[]): string {
  return sorted(files).map((file) => `${file.sha256}  ${file.path}\n`).join('');
}

/** The runtime's content address: the hash of every file's path, mode and hash, so two equal runtimes share one folder. */
export function runtimeId(files: readonly RuntimeFile[]): string {
  const manifest = sorted(files).map((file) => `${file.sha256} ${file.mode.toString(8)} ${file.path}\n`).join('');
  return createHash('sha256').update(manifest).digest('hex');
}

/** The folder a runtime lives in, under the install's `runtimes/`: `node-<id>`. */
export function runtimeFolderName(id: string): string {
  return `node-${id}`;
}

/** Shipped libraries sit flat in `lib/`, by their file name, as the loader looks them up. */
export function libraryPathInRuntime(source: string): string {
  return posix.join('lib', posix.basename(source));
}

function sorted(files: readonly RuntimeFile[]): RuntimeFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
