import { SshccError } from '@sshcc/core';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since`: a duration back from now (`90s`, `10m`, `2h`, `1d`) or a date and time Date.parse
 * understands (`2025-05-01T10:00`, `2025-05-01 10:00:00`). Returns epoch ms.
 */
export function parseSince(text: string, now: number): number {
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number);
  const at = Date.parse(text.trim().replace(/^(\d{4}-\d\d-\d\d) (\d)/, '$1T$2'));
  if (Number.isNaN(at)) {
    throw new SshccError('usage', `--since ${JSON.stringify(text)} is neither a duration nor a time`, { hint: 'e.g. --since 10m, --since 2h, --since 2025-05-01T10:00' });
  }
  return at;
}
