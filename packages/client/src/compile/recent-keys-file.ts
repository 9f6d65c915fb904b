// RecentKeys kept in a file beside the agent's cache, so an agent started later (the last one idled out
// after ten minutes) still knows which command lines are likely hits, and a rebuild after a break does
// not stream sources it then answers from the cache.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { RecentKeys } from './recent-keys';

/** Written by another agent process, maybe another version: checked before use, ignored when wrong. */
const RecentKeysSchema = z.array(z.tuple([z.string().min(1).max(200), z.string().regex(/^[0-9a-f]{64}$/)]));

export interface RecentKeysFileOptions {
  readonly capacity: number;
  /** A change is written this long after it (changes meanwhile go with it); flush() writes at once. */
  readonly saveDelayMs?: number;
}

export class RecentKeysFile {
  private readonly keys: RecentKeys;
  private readonly saveDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  /** A hit made a command the newest: written with the next change, or at flush() when the agent stops. */
  private reordered = false;

  constructor(
    private readonly file: string,
    options: RecentKeysFileOptions,
  ) {
    this.keys = new RecentKeys(options.capacity, readEntries(file));
    this.saveDelayMs = options.saveDelayMs ?? 2000;
  }

  get(command: string): string | undefined {
    return this.keys.get(command);
  }

  set(command: string, key: string): void {
    const changed = this.keys.get(command) !== key;
    // Set either way: a hit makes its command the newest, so eviction drops the ones not used lately.
    this.keys.set(command, key);
    this.reordered = true;
    if (!changed) return;
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), this.saveDelayMs);
    // An agent with nothing else to do must not stay up for this.
    this.timer.unref();
  }

  /** Writes pending changes now (temp file and rename: a reader never sees half a file). Never throws. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty && !this.reordered) return;
    this.dirty = false;
    this.reordered = false;
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify(this.keys.entries()), { mode: 0o600 });
      renameSync(temp, this.file);
    } catch {
      // a hint that is not saved costs a streamed job after the next restart, nothing more
    }
  }
}

function readEntries(file: string): [string, string][] {
  try {
    const parsed = RecentKeysSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
