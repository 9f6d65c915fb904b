import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { zodIssueText } from '@sshcc/protocol';
import { z } from 'zod';
import { MAX_SLOTS } from '../config';

/** The admin's config, shared by every account on the machine; SSHCC_SYSTEM_CONFIG names another (tests). */
export const SYSTEM_CONFIG_PATH = '/etc/sshcc/server.json';

const SystemConfigSchema = z.object({
  /** Slots across accounts: at most `cap` compiles at once from all of them, coordinated in `dir`. */
  sharedSlots: z
    .strictObject({
      dir: z.string().refine(isAbsolute, { message: 'an absolute path' }),
      cap: z.int().min(0).max(MAX_SLOTS),
    })
    .optional(),
});

export interface SharedSlotsConfig {
  readonly dir: string;
  readonly cap: number;
}

export interface SystemSlots {
  readonly file: string;
  /** null: no cap across accounts. */
  readonly shared: SharedSlotsConfig | null;
  /** Why the file could not be used, in one line (the cap is then not applied). */
  readonly error: string | null;
}

export function systemConfigPath(env: NodeJS.ProcessEnv): string {
  return env.SSHCC_SYSTEM_CONFIG !== undefined && isAbsolute(env.SSHCC_SYSTEM_CONFIG) ? env.SSHCC_SYSTEM_CONFIG : SYSTEM_CONFIG_PATH;
}

/** The cap across accounts, if the admin set one. An account cannot fix the admin's file, so a bad one is reported and skipped. */
export function loadSystemSlots(env: NodeJS.ProcessEnv = process.env): SystemSlots {
  const file = systemConfigPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, shared: null, error: null };
    return { file, shared: null, error: `${file}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { file, shared: null, error: `${file}: not JSON: ${(err as Error).message}` };
  }
  const parsed = SystemConfigSchema.safeParse(json);
  if (!parsed.success) return { file, shared: null, error: `${file}: ${zodIssueText(parsed.error, 'invalid')}` };
  return { file, shared: parsed.data.sharedSlots ?? null, error: null };
}
