import { signal } from '../process-tree';
import { track, untrack } from '../registry';
import type { LinkPlan } from './link-plan';
import { LOSS_TABLE, lossRuleset, netemArgs, parseLossCounters, tbfArgs, type LinkShape, type LossCounters } from './link-shaping';
import { killNamespacePids } from './reap-stale-links';
import { mustRun, runTool, runToolSync } from './run-tool';

/**
 * How each impairment is applied. `netem`, `tbf` and `nft` are the kernel acting on real packets; `relay`
 * is emulated in userspace (a delay line in the byte stream, see DelayLine); `off` was not asked for;
 * `unavailable` was asked for and could not be had (the reason is in `summary`).
 */
export interface WanImpairments {
  delay: 'netem' | 'relay' | 'off';
  rate: 'netem' | 'tbf' | 'off';
  loss: 'netem' | 'nft' | 'off' | 'unavailable';
  /** One line for a test's log: what is real, what is emulated, what is missing and why. */
  summary: string;
}

const NETEM_MISSING = /unknown|not supported|No such file/i;

let netemVerdict: boolean | undefined;

function describe(shape: LinkShape, impairments: Omit<WanImpairments, 'summary'>, lossWhy: string | undefined): string {
  const parts = [
    impairments.delay === 'off' ? 'no delay' : `delay ${shape.delayMs} ms each way by ${impairments.delay === 'netem' ? 'netem (real)' : 'a userspace relay (emulated: TCP segments and ACKs cross the link undelayed)'}`,
    impairments.rate === 'off' ? 'no rate limit' : `rate ${shape.rateMbit} Mbit/s each way by ${impairments.rate} (real)`,
    impairments.loss === 'off'
      ? 'no loss'
      : impairments.loss === 'unavailable'
        ? `loss ${shape.lossPercent}% NOT APPLIED (${lossWhy ?? 'unknown reason'})`
        : `loss ${shape.lossPercent}% each way by ${impairments.loss} (real)`,
  ];
  return parts.join('; ');
}

/**
 * A veth pair between the root namespace and a fresh one, shaped in the kernel as far as it allows: netem
 * where the kernel has sch_netem; otherwise tbf for the rate and nft for random loss, leaving the delay to
 * the caller's relay (impairments.delay === 'relay').
 */
export class WanLink {
  private readonly tracked = { stop: () => this.remove(), killSync: () => this.removeSync() };
  private removed = false;
  private burstEnds = 0;

  private constructor(
    readonly plan: LinkPlan,
    readonly shape: LinkShape,
    readonly impairments: WanImpairments,
  ) {
    track(this.tracked);
  }

  /** Creates, addresses and shapes the link; on any failure removes what it made and throws. */
  static async create(plan: LinkPlan, shape: LinkShape): Promise<WanLink> {
    const { namespace: ns, hostVeth, nsVeth } = plan;
    const created = { namespace: false };
    try {
      await mustRun(['ip', 'netns', 'add', ns]);
      created.namespace = true;
      await mustRun(['ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth, 'netns', ns]);
      await mustRun(['ip', 'addr', 'add', `${plan.hostAddress}/${plan.prefixLength}`, 'dev', hostVeth]);
      // One MSS per packet, as on a wire: a 64 KiB GSO packet would make one random drop a loss of 44
      // segments, and tbf would meter in lumps.
      await mustRun(['ip', 'link', 'set', hostVeth, 'gso_max_segs', '1']);
      await mustRun(['ip', '-n', ns, 'link', 'set', nsVeth, 'gso_max_segs', '1']);
      await mustRun(['ip', 'link', 'set', hostVeth, 'up']);
      await mustRun(['ip', '-n', ns, 'addr', 'add', `${plan.nsAddress}/${plan.prefixLength}`, 'dev', nsVeth]);
      await mustRun(['ip', '-n', ns, 'link', 'set', nsVeth, 'up']);
      await mustRun(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      const netem = await WanLink.tryNetem(plan, shape);
      let lossWhy: string | undefined;
      let loss: WanImpairments['loss'] = shape.lossPercent === 0 ? 'off' : netem ? 'netem' : 'nft';
      if (!netem) {
        if (shape.rateMbit !== undefined) {
          await mustRun(['tc', 'qdisc', 'replace', 'dev', hostVeth, 'root', ...tbfArgs(shape.rateMbit)]);
          await mustRun(['tc', '-n', ns, 'qdisc', 'replace', 'dev', nsVeth, 'root', ...tbfArgs(shape.rateMbit)]);
        }
        if (loss === 'nft') {
          const run = await runTool(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], lossRuleset(nsVeth, shape.lossPercent));
          if (run.code !== 0) {
            loss = 'unavailable';
            lossWhy = run.code === -1 || /not found|No such file/.test(run.stderr) ? 'no sch_netem, and nft is not installed' : `no sch_netem, and nft failed: ${run.stderr.trim()}`;
          }
        }
      }
      const chosen = {
        delay: shape.delayMs === 0 ? 'off' : netem ? 'netem' : 'relay',
        rate: shape.rateMbit === undefined ? 'off' : netem ? 'netem' : 'tbf',
        loss,
      } as const;
      return new WanLink(plan, shape, { ...chosen, summary: describe(shape, chosen, lossWhy) });
    } catch (err) {
      if (created.namespace) WanLink.removeNamed(plan);
      throw err;
    }
  }

  /** netem on both ends if this kernel has it; false (nothing changed) if it lacks sch_netem. */
  private static async tryNetem(plan: LinkPlan, shape: LinkShape): Promise<boolean> {
    if (netemVerdict === false) return false;
    const first = await runTool(['tc', 'qdisc', 'replace', 'dev', plan.hostVeth, 'root', ...netemArgs(shape)]);
    if (first.code !== 0) {
      if (!NETEM_MISSING.test(first.stderr)) throw new Error(`testkit: tc netem failed on ${plan.hostVeth}: ${first.stderr.trim()}`);
      netemVerdict = false;
      return false;
    }
    netemVerdict = true;
    await mustRun(['tc', '-n', plan.namespace, 'qdisc', 'replace', 'dev', plan.nsVeth, 'root', ...netemArgs(shape)]);
    return true;
  }

  /** The root qdisc each end has when no burst is on (tc arguments after `root`), or undefined for the default. */
  private steadyQdisc(): string[] | undefined {
    if (this.impairments.rate === 'netem' || this.impairments.delay === 'netem' || this.impairments.loss === 'netem') return netemArgs(this.shape);
    return this.shape.rateMbit === undefined ? undefined : tbfArgs(this.shape.rateMbit);
  }

  private async setRootQdisc(args: string[] | undefined): Promise<void> {
    const ends = [
      ['tc', 'qdisc'],
      ['tc', '-n', this.plan.namespace, 'qdisc'],
    ] as const;
    const devices = [this.plan.hostVeth, this.plan.nsVeth];
    await Promise.all(
      ends.map((tc, i) =>
        args === undefined
          ? runTool([...tc, 'del', 'dev', devices[i] as string, 'root']) // "no qdisc" is fine: the default is wanted
          : mustRun([...tc, 'replace', 'dev', devices[i] as string, 'root', ...args]),
      ),
    );
  }

  /**
   * Drops every packet both ways for `ms` (a `blackhole` root qdisc on both ends: the kernel discards
   * what the stack hands it, so TCP sees real loss and retransmits), then restores the shaping. Overlapping
   * bursts extend to the last one's end.
   */
  async lossBurst(ms: number): Promise<void> {
    const ends = Date.now() + ms;
    const first = this.burstEnds <= Date.now();
    this.burstEnds = Math.max(this.burstEnds, ends);
    if (first) await this.setRootQdisc(['blackhole']);
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.removed || Date.now() < this.burstEnds) return;
    await this.setRootQdisc(this.steadyQdisc());
  }

  /** nft's loss counters (packets seen and dropped at the namespace end), when nft applies the loss. */
  async lossCounters(): Promise<LossCounters | undefined> {
    if (this.impairments.loss !== 'nft') return undefined;
    return parseLossCounters(await mustRun(['ip', 'netns', 'exec', this.plan.namespace, 'nft', 'list', 'table', 'netdev', LOSS_TABLE]));
  }

  /** Kills whatever still runs in the namespace, deletes it (its veth end, qdisc and nft table go with it) and the root end. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    untrack(this.tracked);
    await killNamespacePids(this.plan.namespace);
    await runTool(['ip', 'netns', 'del', this.plan.namespace]);
    // Deleting the namespace destroys its veth end and with it the pair; this covers a namespace still held.
    await runTool(['ip', 'link', 'del', this.plan.hostVeth]);
  }

  private removeSync(): void {
    if (this.removed) return;
    this.removed = true;
    WanLink.removeNamed(this.plan);
  }

  private static removeNamed(plan: LinkPlan): void {
    const listed = runToolSync(['ip', 'netns', 'pids', plan.namespace]);
    for (const line of listed.stdout.split('\n')) if (/^\d+$/.test(line)) signal(Number(line), 'SIGKILL');
    runToolSync(['ip', 'netns', 'del', plan.namespace]);
    runToolSync(['ip', 'link', 'del', plan.hostVeth]);
  }
}
