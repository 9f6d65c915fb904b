// What `tc` and `nft` are told for one direction of an emulated WAN link. Pure text, tested as such; the
// kernel's answer (does it have sch_netem? nf_tables?) decides which of these wan-link.ts uses.

export interface LinkShape {
  /** Added to each direction, so a round trip gains twice this. */
  delayMs: number;
  /** Each direction's rate; undefined leaves the link as fast as veth is. */
  rateMbit: number | undefined;
  /** Each direction drops this share of IP packets at random. */
  lossPercent: number;
}

/** The nf_tables table (family netdev, inside the link's namespace) holding the random-loss rules. */
export const LOSS_TABLE = 'sshcc_wan';
/** tbf passes this much at line speed before the rate holds; at least one 64 KiB GSO packet. */
const MIN_BURST_BYTES = 64 * 1024;
/** tbf's queue: enough for a sender's window at the rate, so the queue itself drops nothing in a test. */
const QUEUE_SECONDS = 0.25;
const MIN_QUEUE_BYTES = 256 * 1024;
/** numgen's modulus: loss is given to a millionth. */
const LOSS_SCALE = 1_000_000;

export function checkShape(shape: LinkShape): void {
  if (!Number.isFinite(shape.delayMs) || shape.delayMs < 0) throw new Error(`testkit: delayMs must be >= 0, got ${shape.delayMs}`);
  if (shape.rateMbit !== undefined && !(Number.isFinite(shape.rateMbit) && shape.rateMbit > 0)) {
    throw new Error(`testkit: rateMbit must be > 0, got ${shape.rateMbit}`);
  }
  if (!(shape.lossPercent >= 0 && shape.lossPercent < 100)) throw new Error(`testkit: lossPercent must be in [0, 100), got ${shape.lossPercent}`);
}

/** `netem` arguments doing all three in the kernel, for `tc qdisc replace dev X root …`. */
export function netemArgs(shape: LinkShape): string[] {
  return [
    'netem',
    'delay',
    `${shape.delayMs}ms`,
    ...(shape.rateMbit === undefined ? [] : ['rate', `${shape.rateMbit}mbit`]),
    ...(shape.lossPercent > 0 ? ['loss', `${shape.lossPercent}%`] : []),
    // netem's default queue (1000 packets) would drop at a 20 Mbit/s rate long before TCP slows down.
    'limit',
    '100000',
  ];
}

/** `tbf` arguments for the rate alone (delay and loss are done elsewhere without netem). */
export function tbfArgs(rateMbit: number): string[] {
  const bytesPerSecond = (rateMbit * 1_000_000) / 8;
  const burst = Math.max(MIN_BURST_BYTES, Math.ceil(bytesPerSecond / 250));
  const limit = Math.max(MIN_QUEUE_BYTES, Math.ceil(bytesPerSecond * QUEUE_SECONDS));
  return ['tbf', 'rate', `${rateMbit}mbit`, 'burst', String(burst), 'limit', String(limit)];
}

/**
 * An nft script for random loss on `device` in both directions. netdev ingress/egress hooks act where the
 * wire would: a packet dropped at egress has already left the sender's stack (TCP sees a real loss, not a
 * local send error as an `output` hook drop would give). Only IP: losing ARP would stall the link instead.
 * Each rule counts what it saw, then what it dropped.
 */
export function lossRuleset(device: string, lossPercent: number): string {
  const threshold = Math.round((lossPercent / 100) * LOSS_SCALE);
  const rule = `meta protocol ip counter numgen random mod ${LOSS_SCALE} < ${threshold} counter drop`;
  const chain = (name: string, hook: string): string =>
    [`  chain ${name} {`, `    type filter hook ${hook} device "${device}" priority 0; policy accept;`, `    ${rule};`, '  }'].join('\n');
  return [`table netdev ${LOSS_TABLE} {`, chain('loss_in', 'ingress'), chain('loss_out', 'egress'), '}', ''].join('\n');
}

export interface LossCounters {
  /** IP packets that crossed the link's namespace end, both directions. */
  seen: number;
  dropped: number;
}

/** Sums the counters of `nft list table netdev sshcc_wan`: per rule, the first counter saw, the second dropped. */
export function parseLossCounters(listing: string): LossCounters {
  const totals = { seen: 0, dropped: 0 };
  for (const line of listing.split('\n')) {
    const counts = [...line.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
    if (counts.length !== 2) continue;
    totals.seen += counts[0] as number;
    totals.dropped += counts[1] as number;
  }
  return totals;
}
