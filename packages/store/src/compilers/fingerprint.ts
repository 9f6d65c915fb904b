import { realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { SshccError } from '@sshcc/core';
import type { CompilerFingerprint } from '@sshcc/protocol';
import { hashFileOnce } from '../hash-file';
import { queryProgram } from './query-program';
import { resolveCompiler } from './resolve-compiler';

export interface FingerprintOptions {
  /** The environment the compiler runs in (PATH to find it, GCC_EXEC_PREFIX and the like). */
  readonly env?: NodeJS.ProcessEnv;
}

interface CacheEntry {
  /** The driver the path led to: a link retargeted to another build of the same size and mtime is another compiler. */
  readonly real: string;
  readonly mtimeMs: number;
  readonly size: number;
  readonly fingerprint: Promise<CompilerFingerprint>;
}
const cache = new Map<string, CacheEntry>();

/**
 * Identifies a compiler closely enough that two machines with equal fingerprints produce the same
 * object from the same input: its version line (less the program name), its target, and sha256 of
 * the driver and of gcc's compilers proper (cc1, cc1plus, as `-print-prog-name` finds them; clang's
 * driver is the compiler).
 * `nameOrPath` is a name looked up on PATH (skipping sshcc masquerade links) or a path. Cached per
 * resolved path until the driver's mtime or size changes.
 */
export async function fingerprintCompiler(nameOrPath: string, options: FingerprintOptions = {}): Promise<CompilerFingerprint> {
  const env = options.env ?? process.env;
  const path = nameOrPath.includes('/') ? resolve(nameOrPath) : resolveCompiler(nameOrPath, env.PATH);
  if (!path) throw new SshccError('compiler-not-found', `${nameOrPath} not found on PATH`);
  let real: string;
  let stat: { mtimeMs: number; size: number };
  try {
    real = realpathSync(path);
    stat = statSync(real);
  } catch (err) {
    throw new SshccError('compiler-not-found', `${path}: ${(err as Error).message}`, { cause: err });
  }
  const key = fingerprintKey(path, env);
  const cached = cache.get(key);
  if (cached && cached.real === real && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.fingerprint;
  const fingerprint = computeFingerprint(path, real, env);
  cache.set(key, { real, mtimeMs: stat.mtimeMs, size: stat.size, fingerprint });
  fingerprint.catch(() => cache.delete(key));
  return fingerprint;
}

/**
 * What a fingerprint is kept under: the driver's path and the variables that move gcc's compilers proper.
 * A cache of fingerprints elsewhere (the agent's, watched) keys them the same way.
 */
export function fingerprintKey(path: string, env: NodeJS.ProcessEnv): string {
  return [path, env.GCC_EXEC_PREFIX ?? '', env.COMPILER_PATH ?? ''].join('\0');
}

async function computeFingerprint(path: string, real: string, env: NodeJS.ProcessEnv): Promise<CompilerFingerprint> {
  const queryEnv = { ...env, LC_ALL: 'C' };
  const [version, target, driver, cc1, cc1plus] = await Promise.all([
    queryProgram(path, ['--version'], queryEnv).then((out) => versionLine(out, path)),
    queryProgram(path, ['-dumpmachine'], queryEnv).then((out) => out.trim()),
    hashFileOnce(real),
    backendHash(path, 'cc1', queryEnv),
    backendHash(path, 'cc1plus', queryEnv),
  ]);
  return { version, target, driver, cc1, cc1plus };
}

/**
 * The first line of `--version`, without the program name gcc puts in front of it: `gcc-12` and
 * `x86_64-linux-gnu-gcc-12` are the same compiler and say so in the rest of the line.
 */
function versionLine(output: string, path: string): string {
  const line = output.split('\n')[0]?.trim() ?? '';
  const name = `${basename(path)} `;
  return line.startsWith(name) ? line.slice(name.length) : line;
}

/** gcc prints the full path of its cc1; clang (which has none) echoes the bare name back. */
async function backendHash(path: string, prog: 'cc1' | 'cc1plus', env: NodeJS.ProcessEnv): Promise<string | null> {
  const found = (await queryProgram(path, [`-print-prog-name=${prog}`], env)).trim();
  if (!isAbsolute(found)) return null;
  try {
    return await hashFileOnce(realpathSync(found));
  } catch {
    return null;
  }
}

/** The first way the client's compiler differs from this server's, in words; null when they match. */
export function fingerprintDifference(client: CompilerFingerprint, server: CompilerFingerprint): string | null {
  const release = releaseDifference(client, server);
  if (release !== null) return release;
  for (const part of ['driver', 'cc1', 'cc1plus'] as const) {
    if (client[part] !== server[part]) {
      return `${part} binary differs (sha256 ${short(client[part])} on the client, ${short(server[part])} here)`;
    }
  }
  return null;
}

/**
 * How the two compilers' releases differ (version line, then target), in words; null when they are
 * builds of the same release, which a job may accept with `match: 'release'`: binaries that differ
 * then prove nothing either way, so the client verifies what they give (see ARCHITECTURE.md).
 */
export function releaseDifference(client: CompilerFingerprint, server: CompilerFingerprint): string | null {
  if (client.version !== server.version) return `version "${client.version}" on the client, "${server.version}" here`;
  if (client.target !== server.target) return `target ${client.target} on the client, ${server.target} here`;
  return null;
}

function short(hash: string | null): string {
  return hash === null ? 'none' : hash.slice(0, 12);
}
