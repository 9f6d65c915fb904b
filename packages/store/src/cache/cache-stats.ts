// The store's counters, shared by every process using the store without a lock: each event is one
// letter appended to stats.log (O_APPEND writes of a few bytes land whole and in order, however many
// server processes append at once), and the counts are the letters. A read is one small file; the
// eviction scan rolls a log past ROLL_BYTES into a summary file so it never grows without bound.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CacheCounters {
  readonly hits: number;
  readonly misses: number;
  readonly stores: number;
  readonly evictions: number;
  /** Entries found truncated or damaged on read (deleted, and counted as misses too). */
  readonly corrupt: number;
}

export type CacheEvent = keyof CacheCounters;

const LETTER: Record<CacheEvent, string> = { hits: 'H', misses: 'M', stores: 'S', evictions: 'E', corrupt: 'C' };
const LOG = 'stats.log';
/** ~1 MiB of events (one byte each) before a scan folds the log into a summary. */
const ROLL_BYTES = 1024 * 1024;

export const NO_COUNTS: CacheCounters = { hits: 0, misses: 0, stores: 0, evictions: 0, corrupt: 0 };

/**
 * Appends events; never throws (counting must not fail a compile). Synchronous on purpose: a few bytes
 * appended cost microseconds, where the promise API's three trips through the thread pool (open, write,
 * close) were a measurable part of an agent cache hit.
 */
export async function recordEvents(dir: string, events: readonly CacheEvent[]): Promise<void> {
  if (events.length === 0) return;
  const letters = events.map((event) => LETTER[event]).join('');
  try {
    appendFileSync(join(dir, LOG), letters);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
    try {
      // The store's first event: its folder is made here rather than checked on every event.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      appendFileSync(join(dir, LOG), letters);
    } catch {
      // uncounted, not failed
    }
  }
}

function countLetters(text: string): CacheCounters {
  const counts = { ...NO_COUNTS };
  for (const [event, letter] of Object.entries(LETTER) as [CacheEvent, string][]) counts[event] = text.split(letter).length - 1;
  return counts;
}

function add(a: CacheCounters, b: CacheCounters): CacheCounters {
  return {
    hits: a.hits + b.hits,
    misses: a.misses + b.misses,
    stores: a.stores + b.stores,
    evictions: a.evictions + b.evictions,
    corrupt: a.corrupt + b.corrupt,
  };
}

/** The live log, rolled logs not yet summarised, and the summaries. */
export async function readCounters(dir: string): Promise<CacheCounters> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let total = NO_COUNTS;
  for (const name of names) {
    if (name === LOG || (/^stats-[0-9a-f-]+\.log$/.test(name) && !names.includes(name.replace(/\.log$/, '.sum')))) {
      total = add(total, countLetters(await readFile(join(dir, name), 'latin1').catch(() => '')));
    } else if (/^stats-[0-9a-f-]+\.sum$/.test(name)) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => '');
      try {
        total = add(total, { ...NO_COUNTS, ...(JSON.parse(text) as Partial<CacheCounters>) });
      } catch {
        // A damaged summary is a few lost counts, not a broken cache.
      }
    }
  }
  return total;
}

/** Folds a large live log into a summary; the rename makes one process the roller. */
export async function rollCounters(dir: string): Promise<void> {
  const size = (await stat(join(dir, LOG)).catch(() => null))?.size ?? 0;
  if (size < ROLL_BYTES) return;
  const id = `${process.pid.toString(16)}-${randomBytes(6).toString('hex')}`;
  const rolled = join(dir, `stats-${id}.log`);
  try {
    await rename(join(dir, LOG), rolled);
  } catch {
    return; // another process rolled it first
  }
  const counts = countLetters(await readFile(rolled, 'latin1'));
  const temp = join(dir, `.tmp-stats-${id}`);
  await writeFile(temp, JSON.stringify(counts));
  await rename(temp, join(dir, `stats-${id}.sum`));
  await unlink(rolled).catch(() => undefined);
}

/** Zeroes the counters: removes the log, rolled logs and summaries. */
export async function zeroCounters(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name === LOG || /^stats-/.test(name)).map((name) => unlink(join(dir, name)).catch(() => undefined)));
}
