import type { JobRecord, PackPush } from '../../events';
import { countBackoff, countJob } from './count-job';
import { countPackPush, notePacksHeld } from './count-pack';
import { emptyStats, type StatsData } from './stats-data';
import { readStatsFile, writeStatsFile } from './stats-file';

/** Counted jobs reach the disk at most this long after they ended; a build's hundreds of jobs cost a few writes. */
export const STATS_WRITE_DELAY_MS = 2000;

export interface StatsKeeperOptions {
  readonly file: string;
  readonly now?: () => number;
  readonly writeDelayMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * The agent's stats: counted in memory as jobs end, written to disk (atomically) a little later so a
 * job never waits on the file system, and once more on close, so a restarted agent carries on counting.
 */
export class StatsKeeper {
  private data: StatsData;
  private readonly now: () => number;
  private readonly writeDelayMs: number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(private readonly options: StatsKeeperOptions) {
    this.now = options.now ?? Date.now;
    this.writeDelayMs = options.writeDelayMs ?? STATS_WRITE_DELAY_MS;
    this.log = options.log ?? (() => undefined);
    const { stats, broken } = readStatsFile(options.file, this.now());
    if (broken !== null) this.log(`stats: ${broken}; counting from zero`);
    this.data = stats;
  }

  countJob(job: JobRecord): void {
    countJob(this.data, job);
    this.changed();
  }

  countBackoff(host: string): void {
    countBackoff(this.data, host);
    this.changed();
  }

  countPackPush(push: PackPush, at: number): void {
    if (countPackPush(this.data, push, at)) this.changed();
  }

  notePacksHeld(host: string, packs: readonly string[] | null): void {
    if (notePacksHeld(this.data, host, packs)) this.changed();
  }

  /** A copy of the counters now. */
  current(): StatsData {
    return structuredClone(this.data);
  }

  /** Zeroes the counters and writes them at once; returns them. */
  async zero(): Promise<StatsData> {
    this.data = emptyStats(this.now());
    this.dirty = true;
    await this.flush();
    return this.current();
  }

  /** Writes pending changes now (the agent's shutdown). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.write();
    await this.writing;
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, this.writeDelayMs);
    this.timer.unref();
  }

  /** Writes one after another, each with the counters as they are when its turn comes. */
  private write(): void {
    this.dirty = false;
    this.writing = this.writing.then(async () => {
      try {
        await writeStatsFile(this.options.file, this.data);
      } catch (err) {
        if (!this.warned) this.log(`stats: cannot write ${this.options.file}: ${(err as Error).message}`);
        this.warned = true;
      }
    });
  }
}
