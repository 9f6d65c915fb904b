// Names and addresses of one emulated WAN link: unique per test process (jest runs workers in parallel,
// each may start several links), short enough for Linux (interface names are at most 15 bytes), and in a
// private range no real network here uses.

/** 10.213.0.0/16 cut into /30s: one link each (two usable addresses). */
const PREFIX = [10, 213] as const;
const BLOCKS = 1 << 14;

export interface LinkPlan {
  /** `sshcc-wan-<pid>-<n>`: the pid lets a later run see the link is a dead process's leftover. */
  namespace: string;
  /** The root namespace's end of the veth pair. */
  hostVeth: string;
  /** The end inside the namespace. */
  nsVeth: string;
  hostAddress: string;
  nsAddress: string;
  /** Prefix length of both addresses. */
  prefixLength: 30;
}

export const NAMESPACE_PATTERN = /^sshcc-wan-(\d+)-(\d+)$/;

function blockAddress(block: number, host: 1 | 2): string {
  return `${PREFIX[0]}.${PREFIX[1]}.${block >> 6}.${((block & 63) << 2) + host}`;
}

/** /30 blocks of 10.213/16 that `ip -4 -o addr show` lists as in use. */
export function usedBlocks(ipAddrOutput: string): Set<number> {
  const used = new Set<number>();
  for (const match of ipAddrOutput.matchAll(/inet 10\.213\.(\d+)\.(\d+)\//g)) used.add((Number(match[1]) << 6) | (Number(match[2]) >> 2));
  return used;
}

/** The plan for link `serial` of process `pid`, on the first /30 after a pid-derived start that nobody uses. */
export function planLink(pid: number, serial: number, used: ReadonlySet<number>): LinkPlan {
  const start = (pid * 16 + serial) % BLOCKS;
  for (let i = 0; i < BLOCKS; i++) {
    const block = (start + i) % BLOCKS;
    if (used.has(block)) continue;
    return {
      namespace: `sshcc-wan-${pid}-${serial}`,
      hostVeth: `sw${pid}-${serial}h`,
      nsVeth: `sw${pid}-${serial}n`,
      hostAddress: blockAddress(block, 1),
      nsAddress: blockAddress(block, 2),
      prefixLength: 30,
    };
  }
  throw new Error('testkit: every /30 of 10.213.0.0/16 is in use');
}
