// How hard to compress a job's bytes for one link: from the link's measured rate and this machine's
// measured zstd speed and ratio, never from the host's name. A byte costs compress time plus its
// compressed size on the link; the level with the least total wins, level 0 (sent as it is) included,
// so a loopback or LAN link that moves bytes faster than zstd makes them skips compressing.

/** One zstd level as this machine runs it. */
export interface LevelFigures {
  readonly level: number;
  /** Raw bytes compressed per millisecond of this machine's CPU. */
  readonly rawBytesPerMs: number;
  /** Raw bytes over compressed bytes. */
  readonly ratio: number;
}

/** A link's rate, from its recent transfers. */
export interface LinkRate {
  /** The median of the recent samples, bytes per millisecond. */
  readonly bytesPerMs: number;
  /** Newest last. */
  readonly samples: readonly number[];
}

/** The level used until both the link and this machine's zstd are measured. */
export const UNMEASURED_LEVEL = 1;
/** The levels measured and chosen from (0: no compressing); higher ones cost far more CPU for ~1% more. */
export const CANDIDATE_LEVELS = [1, 3, 6, 9] as const;
/**
 * What may have crossed before a transfer's clock starts: the clock starts when the first frame (the
 * request, the result) is read, and that frame arrives in an ssh packet that may carry up to 32 KiB
 * (ssh2's and OpenSSH's channel packet size) of what follows it.
 */
export const FIRST_PACKET_BYTES = 32 * 1024;
/** A transfer shorter than this is mostly its first packet: it would time the event loop, not the link. */
export const MIN_LINK_SAMPLE_BYTES = 4 * FIRST_PACKET_BYTES;
/** Recent samples kept: the median follows a changed link within a few jobs and ignores one outlier. */
const LINK_SAMPLES = 9;
/**
 * A level must beat the cheaper one by this factor to be taken: the client's CPU is what bounds how
 * many volunteers it can feed, so a near tie goes to the level that spends less of it.
 */
const WORTH_MORE_CPU = 1.1;

/** Adds one transfer (`bytes` on the wire in `ms`) to the link's rate; a short one is ignored. */
export function noteLinkTransfer(prev: LinkRate | undefined, bytes: number, ms: number): LinkRate | undefined {
  if (!Number.isFinite(bytes) || !Number.isFinite(ms) || bytes < MIN_LINK_SAMPLE_BYTES || ms < 0) return prev;
  // Below the clock's resolution: as fast as this machine can tell.
  const rate = (bytes - FIRST_PACKET_BYTES) / Math.max(ms, 0.01);
  const samples = [...(prev?.samples ?? []), rate].slice(-LINK_SAMPLES);
  return { bytesPerMs: median(samples), samples };
}

/** The zstd level for a link's next job (0: a stored frame, the bytes as they are). */
export function chooseZstdLevel(link: LinkRate | undefined, levels: readonly LevelFigures[]): number {
  if (link === undefined || levels.length === 0) return UNMEASURED_LEVEL;
  let best = { level: 0, msPerRawByte: 1 / link.bytesPerMs };
  for (const figures of [...levels].sort((a, b) => a.level - b.level)) {
    if (!(figures.rawBytesPerMs > 0) || !(figures.ratio > 0)) continue;
    const msPerRawByte = 1 / figures.rawBytesPerMs + 1 / (figures.ratio * link.bytesPerMs);
    if (msPerRawByte * WORTH_MORE_CPU < best.msPerRawByte) best = { level: figures.level, msPerRawByte };
  }
  return best.level;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
