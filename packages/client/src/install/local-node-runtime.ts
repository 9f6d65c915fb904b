import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SshccError } from '@sshcc/core';
import { libraryPathInRuntime, runtimeId, runtimeLibraries, type RuntimeFile } from './runtime-manifest';

// The node this client runs on, as a runtime to ship to a volunteer that has no usable node: the binary
// and the shared libraries it loads that a volunteer may lack (runtime-manifest.ts says which).

export interface LocalRuntimeFile extends RuntimeFile {
  readonly bytes: Buffer;
}

export interface NodeRuntime {
  /** Content address (runtime-manifest.ts): equal runtimes, equal id. */
  readonly id: string;
  readonly version: string;
  readonly files: readonly LocalRuntimeFile[];
  /** Whether files sit in `lib/` that the node must be told about (LD_LIBRARY_PATH). */
  readonly hasLibraries: boolean;
}

/** Reads `process.execPath` and the libraries ldd names for it. */
export async function localNodeRuntime(nodePath: string = process.execPath): Promise<NodeRuntime> {
  const libraries = runtimeLibraries(await lddOutput(nodePath));
  const files = await Promise.all([fileOf('bin/node', nodePath, 0o555), ...libraries.map((path) => fileOf(libraryPathInRuntime(path), path, 0o444))]);
  return { id: runtimeId(files), version: process.version, files, hasLibraries: libraries.length > 0 };
}

async function fileOf(path: string, source: string, mode: number): Promise<LocalRuntimeFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(source);
  } catch (err) {
    throw new SshccError('config', `cannot read ${source} to send it as the node runtime: ${(err as Error).message}`, { cause: err });
  }
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), mode, size: bytes.length, bytes };
}

/** ldd's list; a static node makes ldd fail ("not a dynamic executable"), which means nothing to ship. */
function lddOutput(path: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('ldd', [path], { encoding: 'utf8' }, (err, stdout) => resolve(err ? '' : stdout));
  });
}
