// The content-addressed result store: one file per key at <dir>/<first two hex digits>/<key>. Safe for
// many processes at once without locks: an entry is written to a temp file in its own folder and renamed
// into place (readers see the whole old file, the whole new one or none); every read checks the entry's
// hash; every step of eviction tolerates a file another process removed first.
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, utimesSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeEntry, encodeEntry, type CachedResult } from './cache-entry';
import { NO_COUNTS, readCounters, recordEvents, rollCounters, type CacheCounters, type CacheEvent } from './cache-stats';

export const DEFAULT_CACHE_MAX_BYTES = 5 * 1024 ** 3;
/**
 * An eviction scan runs with probability (bytes stored / (max / SCANS_PER_MAX)): on average once per
 * max/64 stored (80 MiB of the default 5 GiB), whichever of many processes stores them, with no shared
 * counter to keep consistent. The store then overshoots its limit by about 1/64 between scans.
 */
const SCANS_PER_MAX = 64;
/** A scan trims to this share of the limit, so the next scans find nothing to do for a while. */
const TRIM_TO = 0.9;
/** A temp file older than this belongs to a process that died mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const KEY = /^[0-9a-f]{64}$/;
/**
 * An entry up to this size is read synchronously (tens of microseconds): the promise API's four trips
 * through the thread pool cost an agent cache hit more than the read. A larger one is read without
 * holding the thread that serves every other job.
 */
const SYNC_READ_BYTES = 1024 * 1024;

export interface ResultStoreOptions {
  readonly dir: string;
  readonly maxBytes?: number;
  /** The chance draw for an eviction scan (tests make it certain or never). */
  readonly random?: () => number;
}

export interface CacheSize {
  readonly entries: number;
  readonly bytes: number;
}

export interface CacheStats extends CacheCounters, CacheSize {
  readonly dir: string;
  readonly maxBytes: number;
}

export class ResultStore {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly random: () => number;
  private evicting: Promise<void> | null = null;
  /** A scan was asked for while one ran: entries stored since it listed the folders are not in its count. */
  private evictAgain = false;

  constructor(options: ResultStoreOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    this.random = options.random ?? Math.random;
  }

  /** The entry for `key`, or null (a miss). A damaged entry is deleted and counted corrupt and missed. */
  async get(key: string): Promise<CachedResult | null> {
    if (!KEY.test(key)) return null;
    const path = this.pathOf(key);
    const file = await readEntryFile(path);
    if (file === null) {
      await this.count('misses');
      return null;
    }
    const entry = decodeEntry(file);
    if ('corrupt' in entry) {
      await unlink(path).catch(() => undefined);
      await this.count('corrupt', 'misses');
      return null;
    }
    // LRU by mtime (atime is often off: noatime, relatime); a failed touch only ages the entry.
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // only ages the entry
    }
    await this.count('hits');
    return entry;
  }

  /**
   * Whether an entry for `key` is there, unread and uncounted (it may still turn out damaged). One
   * synchronous lstat (microseconds): the agent asks before answering a direct hit, where the thread
   * pool's round trip of the promise API cost more than the call itself.
   */
  async has(key: string): Promise<boolean> {
    if (!KEY.test(key)) return false;
    try {
      return lstatSync(this.pathOf(key)).isFile();
    } catch {
      return false;
    }
  }

  /** Stores a successful compile's answer; false (and nothing stored) for any other, or on any I/O failure. */
  async put(key: string, result: CachedResult): Promise<boolean> {
    if (!KEY.test(key) || result.exitCode !== 0 || result.outputs.length === 0) return false;
    const data = encodeEntry(result);
    const folder = join(this.dir, key.slice(0, 2));
    const temp = join(folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
      await writeFile(temp, data, { mode: 0o600, flag: 'wx' });
      await rename(temp, join(folder, key));
    } catch {
      await unlink(temp).catch(() => undefined);
      return false;
    }
    await this.count('stores');
    if (this.random() < (data.length * SCANS_PER_MAX) / this.maxBytes) this.evictSoon();
    return true;
  }

  /**
   * Starts an eviction scan, or, if one runs in this process, another once it ends: the running scan may
   * have listed the folders before the store that asked, and a dropped request left the store over its
   * limit until some later store happened to draw a scan. `settled()` waits for both.
   */
  evictSoon(): void {
    if (this.evicting) {
      this.evictAgain = true;
      return;
    }
    this.evicting = this.evictWhileAsked().finally(() => {
      this.evicting = null;
    });
  }

  private async evictWhileAsked(): Promise<void> {
    do {
      this.evictAgain = false;
      await this.evict().catch(() => 0);
    } while (this.evictAgain);
  }

  /** Resolves when this process's background work (an eviction scan) is done. */
  async settled(): Promise<void> {
    await this.evicting;
  }

  /** Deletes the least recently used entries until the store is within TRIM_TO of its limit. */
  async evict(): Promise<number> {
    const entries = await this.scan(true);
    let bytes = entries.reduce((sum, entry) => sum + entry.size, 0);
    if (bytes <= this.maxBytes) return 0;
    entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
    let evicted = 0;
    for (const entry of entries) {
      if (bytes <= this.maxBytes * TRIM_TO) break;
      bytes -= entry.size;
      try {
        await unlink(entry.path);
        evicted++;
      } catch {
        // Gone already: another process evicted it, or `cache clear` ran.
      }
    }
    await recordEvents(this.dir, Array<CacheEvent>(evicted).fill('evictions'));
    await rollCounters(this.dir);
    return evicted;
  }

  async size(): Promise<CacheSize> {
    const entries = await this.scan(false);
    return { entries: entries.length, bytes: entries.reduce((sum, entry) => sum + entry.size, 0) };
  }

  async stats(): Promise<CacheStats> {
    const [counts, size] = await Promise.all([readCounters(this.dir).catch(() => NO_COUNTS), this.size()]);
    return { ...counts, ...size, dir: this.dir, maxBytes: this.maxBytes };
  }

  /** Removes every entry (the counters stay); what was removed. */
  async clear(): Promise<CacheSize> {
    const removed = await this.size();
    const folders = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(folders.filter((name) => /^[0-9a-f]{2}$/.test(name)).map((name) => rm(join(this.dir, name), { recursive: true, force: true })));
    return removed;
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), key);
  }

  /** Every entry with its size and mtime; with `sweep`, stale temp files are removed on the way. */
  private async scan(sweep: boolean): Promise<{ path: string; size: number; mtimeMs: number }[]> {
    const found: { path: string; size: number; mtimeMs: number }[] = [];
    const folders = await readdir(this.dir).catch(() => [] as string[]);
    const now = Date.now();
    for (const folder of folders.filter((name) => /^[0-9a-f]{2}$/.test(name))) {
      const names = await readdir(join(this.dir, folder)).catch(() => [] as string[]);
      for (const name of names) {
        const path = join(this.dir, folder, name);
        const stat = await lstat(path).catch(() => null);
        if (!stat?.isFile()) continue;
        if (KEY.test(name)) found.push({ path, size: stat.size, mtimeMs: stat.mtimeMs });
        else if (sweep && name.startsWith('.tmp-') && now - stat.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => undefined);
      }
    }
    return found;
  }

  private count(...events: CacheEvent[]): Promise<void> {
    return recordEvents(this.dir, events);
  }
}

/** An entry's bytes, or null when there is none (see SYNC_READ_BYTES). */
async function readEntryFile(path: string): Promise<Buffer | null> {
  try {
    const size = lstatSync(path).size;
    return size <= SYNC_READ_BYTES ? readFileSync(path) : await readFile(path);
  } catch {
    return null;
  }
}
