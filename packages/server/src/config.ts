import { readFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { SshccError } from '@sshcc/core';
import { MAX_JOB_SECONDS, zodIssueText } from '@sshcc/protocol';
import { z } from 'zod';
import { isCompilerPattern } from './allowlist';
import { parseCacheSize, type CacheConfig } from '@sshcc/store';

/** Pushed toolchain packs beyond this many bytes evict the least recently used (issue: 2 GiB). */
export const DEFAULT_TOOLCHAINS_MAX_BYTES = 2 * 1024 ** 3;

const byteSize = z.union([z.int().min(0), z.string().refine((text) => parseCacheSize(text) !== null, { message: 'a size such as 5G, 500M or 1048576' })]);

/** A compile gets this long unless the request asks for less or the config sets a cap. */
export const DEFAULT_MAX_JOB_SECONDS = 600;

const ServerConfigSchema = z.strictObject({
  /** Compiler names a job may use (`*` wildcards); replaces the default list. */
  compilers: z
    .array(z.string().refine(isCompilerPattern, { message: 'a compiler is a bare name (wildcard *), no path' }))
    .min(1)
    .optional(),
  /** Upper bound on any compile, whatever the client asks. */
  maxJobSeconds: z.int().min(1).max(MAX_JOB_SECONDS).optional(),
  /** The result cache: on unless `enabled: false`; `maxSize` in bytes or as "5G", "500M" (SSHCC_CACHE_SIZE wins). */
  cache: z
    .strictObject({
      enabled: z.boolean().optional(),
      maxSize: byteSize.optional(),
    })
    .optional(),
  /** Pushed toolchain packs: `enabled: false` refuses every push; `maxSize` caps them (LRU). */
  toolchains: z
    .strictObject({
      enabled: z.boolean().optional(),
      maxSize: byteSize.optional(),
    })
    .optional(),
  /** The account's slots, shared by every session of every client (read on its own: see slotsOf). */
  slots: z.unknown().optional(),
});

/** More slots than any machine has CPUs is a typo, not a plan. */
export const MAX_SLOTS = 4096;
const SlotsSchema = z.int().min(0).max(MAX_SLOTS);

export interface ServerConfig {
  /** Where the config was looked for. */
  readonly file: string;
  readonly found: boolean;
  readonly compilers: readonly string[] | null;
  readonly maxJobSeconds: number;
  readonly cache: CacheConfig;
  /** Bytes of packs kept; null: this server takes no packs. */
  readonly toolchainsMaxBytes: number | null;
  /** Jobs of this account that compile at once, from every client; 0: draining. */
  readonly slots: number;
  /** Why `slots` in the file was not used (the CPU count is), in one line; null when it was fine or absent. */
  readonly slotsError: string | null;
}

/** `$XDG_CONFIG_HOME/sshcc/server.json`, else `~/.config/sshcc/server.json`. */
export function serverConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'sshcc', 'server.json');
}

/** Reads and checks the config; a missing file means the defaults, a bad one is a 'config' error. */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const file = serverConfigPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        file,
        found: false,
        compilers: null,
        maxJobSeconds: DEFAULT_MAX_JOB_SECONDS,
        cache: {},
        toolchainsMaxBytes: toolchainsMaxBytes(undefined, env),
        slots: availableParallelism(),
        slotsError: null,
      };
    }
    throw new SshccError('config', `${file}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SshccError('config', `${file}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ServerConfigSchema.safeParse(json);
  if (!parsed.success) throw new SshccError('config', `${file}: ${zodIssueText(parsed.error, 'invalid')}`);
  return {
    file,
    found: true,
    compilers: parsed.data.compilers ?? null,
    maxJobSeconds: parsed.data.maxJobSeconds ?? DEFAULT_MAX_JOB_SECONDS,
    cache: parsed.data.cache ?? {},
    toolchainsMaxBytes: toolchainsMaxBytes(parsed.data.toolchains, env),
    ...slotsOf(file, parsed.data.slots),
  };
}

/**
 * `slots`, else the CPU count. A bad value is reported (every session's stderr, `--check`, which then
 * fails) and the CPU count used instead: a typo in a capacity knob whose default is safe must not turn
 * every client away, nor be read as 0 (draining). The other keys guard what runs, and refuse the config.
 */
export function slotsOf(file: string, value: unknown): { slots: number; slotsError: string | null } {
  if (value === undefined) return { slots: availableParallelism(), slotsError: null };
  const parsed = SlotsSchema.safeParse(value);
  if (parsed.success) return { slots: parsed.data, slotsError: null };
  const cpus = availableParallelism();
  return { slots: cpus, slotsError: `${file}: slots: ${JSON.stringify(value).slice(0, 40)} is not a whole number from 0 to ${MAX_SLOTS}; using ${cpus} (the CPU count)` };
}

/**
 * A pack is code the client chose, run as this user. Any ssh login can run code anyway, but a key held
 * to a forced command (`restrict,command=…`: sshd then sets SSH_ORIGINAL_COMMAND) is meant to run only
 * this server: there packs are off unless the owner turns them on.
 */
function toolchainsMaxBytes(toolchains: { enabled?: boolean; maxSize?: number | string } | undefined, env: NodeJS.ProcessEnv): number | null {
  if (toolchains?.enabled === false) return null;
  if (toolchains?.enabled === undefined && env.SSH_ORIGINAL_COMMAND !== undefined) return null;
  const size = toolchains?.maxSize;
  if (size === undefined) return DEFAULT_TOOLCHAINS_MAX_BYTES;
  return typeof size === 'number' ? size : (parseCacheSize(size) as number);
}
