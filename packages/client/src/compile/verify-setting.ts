// Where the share of remote jobs to verify comes from: the build's SSHCC_VERIFY, else `verify` in the
// client's config file ($SSHCC_DIR/config.json), else off. Read per compile, since each build brings
// its own environment; the file is parsed again only when it changes (the agent watches it: no stat per
// compile; a one-shot command stats it).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkVerifyRate, parseVerifyRate, SshccError } from '@sshcc/core';
import { zodIssueText } from '@sshcc/protocol';
import { z } from 'zod';
import type { PathWatches } from './path-watches';
import { WatchedMemo } from './watched-memo';

/** The client's own settings file. Strict: a misspelt key is an error, not a setting silently ignored. */
const ClientConfigSchema = z.strictObject({
  /** The share of remote jobs compiled here too and compared (0 off, 1 every job). */
  verify: z.number().optional(),
});

export type ClientConfig = z.infer<typeof ClientConfigSchema>;

/** A config file's settings, null where there is none; throws a 'config' SshccError for a bad one. */
export type ReadClientConfig = (file: string) => ClientConfig | null;

export interface VerifySetting {
  /** From 0 (off) to 1 (every remote job). */
  readonly rate: number;
  /** Where it was set: `SSHCC_VERIFY`, the config file's path, or null (the default, off). */
  readonly source: string | null;
}

/** `$SSHCC_DIR/config.json`, else `~/.sshcc/config.json` (beside the hosts file). */
export function clientConfigPath(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  return join(env.SSHCC_DIR || join(homeDir, '.sshcc'), 'config.json');
}

/** The build's setting; throws a 'config' SshccError for a bad SSHCC_VERIFY or config file. */
export function verifySetting(env: Readonly<Record<string, string | undefined>>, homeDir: string, read: ReadClientConfig = readClientConfig): VerifySetting {
  const raw = env.SSHCC_VERIFY;
  // Set but empty reads as unset, as with the other SSHCC_ variables.
  if (raw !== undefined && raw.trim() !== '') return { rate: parseVerifyRate(raw, 'SSHCC_VERIFY'), source: 'SSHCC_VERIFY' };
  const file = clientConfigPath(env, homeDir);
  const rate = read(file)?.verify;
  return rate === undefined ? { rate: 0, source: null } : { rate: checkVerifyRate(rate, `${file}: verify=${rate}`), source: file };
}

interface Parsed {
  readonly mtimeMs: number;
  readonly size: number;
  readonly config: ClientConfig;
}

const parsedFiles = new Map<string, Parsed>();

/** The file's settings, parsed again when its mtime or size changed (one stat per call). */
function readClientConfig(file: string): ClientConfig | null {
  let stat;
  try {
    stat = statSync(file);
  } catch (err) {
    return absentOrThrow(file, err);
  }
  const known = parsedFiles.get(file);
  if (known !== undefined && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known.config;
  const config = loadClientConfig(file);
  if (config !== null) parsedFiles.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, config });
  return config;
}

/** The agent's reader: a file's settings kept until its watch sees a change (PathWatches), not stat'ed per compile. */
export class WatchedClientConfigs {
  private readonly known = new WatchedMemo<ClientConfig | null>();

  constructor(private readonly watches: PathWatches) {}

  read(file: string): ClientConfig | null {
    const known = this.known.get(file);
    if (known !== undefined) return known.value;
    // Watched before it is read: an edit in between is seen.
    const validity = this.watches.cover([file]);
    let config: ClientConfig | null;
    try {
      config = loadClientConfig(file);
    } catch (err) {
      validity?.end();
      throw err;
    }
    if (validity !== null) this.known.set(file, config, validity);
    return config;
  }
}

function loadClientConfig(file: string): ClientConfig | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return absentOrThrow(file, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SshccError('config', `${file}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ClientConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new SshccError('config', `${file}: ${zodIssueText(parsed.error, 'invalid')}`, { hint: 'e.g. {"verify": 0.05}' });
  }
  return parsed.data;
}

/** No file is no settings; a file that cannot be read is an error. */
function absentOrThrow(file: string, err: unknown): null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return null;
  throw new SshccError('config', `${file}: ${(err as Error).message}`, { cause: err });
}
