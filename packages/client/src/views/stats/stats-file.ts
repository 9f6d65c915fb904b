import { readFileSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { emptyStats, normalizeStats, type StatsData } from './stats-data';

/** `$SSHCC_DIR/stats.json`. */
export function statsFileIn(configDir: string): string {
  return join(configDir, 'stats.json');
}

/** The stats on disk; fresh ones when there are none, and `broken` set when the file was unreadable. */
export function readStatsFile(file: string, now: number): { stats: StatsData; broken: string | null } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { stats: emptyStats(now), broken: code === 'ENOENT' ? null : `cannot read ${file}: ${code ?? String(err)}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { stats: emptyStats(now), broken: `${file} is not JSON` };
  }
  const stats = normalizeStats(raw, now);
  return stats === null ? { stats: emptyStats(now), broken: `${file} holds no sshcc stats (version 1)` } : { stats, broken: null };
}

/**
 * Writes the stats so a reader sees the old file or the new one, never half of one: a temp file in
 * the same folder, then a rename over the old.
 */
export async function writeStatsFile(file: string, stats: StatsData): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(stats, null, 1)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
