import { join } from 'node:path';
import { SshccError } from '@sshcc/core';
import { cacheRoot } from './cache-dir';
import { DEFAULT_CACHE_MAX_BYTES } from './result-store';

/** Where a store lives and how large it may grow; null settings mean the cache is off. */
export interface CacheSettings {
  readonly dir: string;
  readonly maxBytes: number;
}

/** What the server config file may say about the cache. */
export interface CacheConfig {
  readonly enabled?: boolean;
  /** Bytes, or a size such as "5G", "500M". */
  readonly maxSize?: number | string;
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `5G`, `500M`, `64K`, `1048576` (binary units; a trailing `B` or `iB` is allowed): bytes, or null. */
export function parseCacheSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!match) return null;
  const bytes = Math.floor(Number(match[1]) * (UNITS[(match[2] as string).toUpperCase()] as number));
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/**
 * The cache of one side (`volunteer` or `agent`): off with SSHCC_CACHE=0 (or `enabled: false` in the
 * config); else `<cacheRoot>/<side>`, limited by SSHCC_CACHE_SIZE, else the config's maxSize, else 5 GiB.
 */
export function cacheSettings(side: 'volunteer' | 'agent', env: NodeJS.ProcessEnv, config: CacheConfig = {}): CacheSettings | null {
  if (env.SSHCC_CACHE === '0' || config.enabled === false) return null;
  let maxBytes = DEFAULT_CACHE_MAX_BYTES;
  const configured = config.maxSize;
  if (configured !== undefined) maxBytes = typeof configured === 'number' ? configured : sizeOrThrow(configured, 'cache.maxSize');
  if (env.SSHCC_CACHE_SIZE !== undefined && env.SSHCC_CACHE_SIZE !== '') maxBytes = sizeOrThrow(env.SSHCC_CACHE_SIZE, 'SSHCC_CACHE_SIZE');
  return { dir: join(cacheRoot(env), side), maxBytes };
}

function sizeOrThrow(text: string, where: string): number {
  const bytes = parseCacheSize(text);
  if (bytes === null) throw new SshccError('config', `${where}: "${text}" is not a size (e.g. 5G, 500M, 1048576)`);
  return bytes;
}
