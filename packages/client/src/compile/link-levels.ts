import { CANDIDATE_LEVELS, chooseZstdLevel, noteLinkTransfer, type LevelFigures, type LinkRate } from '@sshcc/core';
import { DATA_CHUNK_BYTES, loadDataCodec, type DataCodec, type JobResult } from '@sshcc/protocol';

/** A source this large is real enough to measure zstd on (a trivial file's says little about a big one's ratio). */
const MIN_CALIBRATION_BYTES = 64 * 1024;

/**
 * The measuring half of compression per link (the deciding half is core's chooseZstdLevel): each host's
 * link rate from its jobs' transfers, and this machine's zstd speed and ratio per level, measured once
 * on a real source. The level follows from those, never from the host's name.
 */
export class LinkLevels {
  private readonly rates = new Map<string, LinkRate>();
  private readonly chosen = new Map<string, number>();
  private figures: LevelFigures[] = [];
  private calibration: Promise<void> | null = null;

  constructor(
    /** Told when a host's level changes, with the figures that chose it. */
    private readonly report: (line: string) => void = () => undefined,
    private readonly codec: () => Promise<DataCodec> = () => loadDataCodec('zstd'),
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The zstd level for the host's next job (0: stored frames). */
  levelFor(host: string): number {
    const rate = this.rates.get(host);
    const level = chooseZstdLevel(rate, this.figures);
    if (this.chosen.get(host) !== level && rate !== undefined && this.figures.length > 0) {
      const mbps = (bytesPerMs: number): string => `${(bytesPerMs / 1000).toFixed(bytesPerMs < 10_000 ? 1 : 0)} MB/s`;
      const zstd = this.figures.map((f) => `${f.level}: ${mbps(f.rawBytesPerMs)} ×${f.ratio.toFixed(1)}`).join(', ');
      this.report(`${host}: zstd level ${level} for its link (${mbps(rate.bytesPerMs)} measured; zstd here ${zstd})`);
    }
    this.chosen.set(host, level);
    return level;
  }

  /**
   * Learns the link from a job's transfers: up, the source's wire bytes over the server's own time from
   * the request to the source's end; down, the outputs' wire bytes from the result to their end as read
   * here. Either is a transfer the link carried, so bytes over time is what the link gave then.
   */
  noteJob(host: string, result: JobResult): void {
    const { transfer, timings } = result;
    let rate = this.rates.get(host);
    if (transfer.sentMs !== null) rate = noteLinkTransfer(rate, transfer.sentWireBytes, timings.receiveMs);
    rate = noteLinkTransfer(rate, transfer.receivedWireBytes, transfer.doneMs - transfer.answeredMs);
    if (rate !== undefined) this.rates.set(host, rate);
  }

  /** No source has been measured yet. */
  get wantsSample(): boolean {
    return this.calibration === null;
  }

  /** Measures this machine's zstd on `source` (once, on the first one large enough), off the job's path. */
  calibrateOn(source: Buffer): Promise<void> {
    if (this.calibration !== null || source.length < MIN_CALIBRATION_BYTES) return this.calibration ?? Promise.resolve();
    const sample = source.subarray(0, DATA_CHUNK_BYTES);
    this.calibration = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const codec = await this.codec();
      this.figures = CANDIDATE_LEVELS.map((level) => {
        let best = Infinity;
        let wire = sample.length;
        // The better of two: one run may be preempted on a busy machine.
        for (let run = 0; run < 2; run++) {
          const started = this.now();
          wire = codec.encode(sample, level).length;
          best = Math.min(best, this.now() - started);
        }
        return { level, rawBytesPerMs: sample.length / Math.max(best, 0.001), ratio: sample.length / wire };
      });
    });
    return this.calibration;
  }
}
