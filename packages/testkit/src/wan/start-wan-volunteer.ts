import { startVolunteer, type VolunteerOptions } from '../start-volunteer';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy';
import type { Volunteer } from '../volunteer';
import { planLink, usedBlocks, type LinkPlan } from './link-plan';
import { checkShape, type LinkShape, type LossCounters } from './link-shaping';
import { reapStaleLinks } from './reap-stale-links';
import { mustRun } from './run-tool';
import { WanLink, type WanImpairments } from './wan-link';
import { wanUnavailable } from './wan-unavailable';

/** sshd's port inside the namespace: the namespace is new, so the usual port is free. */
const SSHD_PORT = 22;

export interface WanVolunteerOptions extends Omit<VolunteerOptions, 'network'> {
  /** Each direction; a round trip gains twice this. Default 25 (a 50 ms RTT, a VPN from home). */
  delayMs?: number;
  /** Each direction's rate. Default 20 Mbit/s. */
  rateMbit?: number;
  /** Random loss of IP packets, each direction. Default 0. */
  lossPercent?: number;
}

/** A volunteer reached over an emulated WAN link, with the link's controls. */
export interface WanVolunteer {
  /** The volunteer as clients see it: host/port are the relay's end of the link (in the root namespace). */
  readonly volunteer: Volunteer;
  readonly link: LinkPlan;
  /** What is real and what is emulated on this kernel. */
  readonly impairments: WanImpairments;
  /** Every packet both ways dropped for `ms` (real loss: TCP retransmits). Resolves when the link is back. */
  lossBurst(ms: number): Promise<void>;
  /** The link stops moving for `ms`: nothing is lost, nothing arrives (not even ssh keepalive replies). */
  stall(ms: number): Promise<void>;
  /** Packets seen and dropped by the random-loss rules, when nft applies them (impairments.loss === 'nft'). */
  lossCounters(): Promise<LossCounters | undefined>;
  /** The volunteer, the relay, the namespace with all in it, the veth pair, its qdiscs and rules: all gone. */
  stop(): Promise<void>;
}

let serial = 0;
let reaped: Promise<unknown> | undefined;

/**
 * Runs a volunteer's sshd inside a new network namespace, reached from this (root) namespace over a veth
 * pair with private addresses, shaped with delay, rate and loss. Throws the wanUnavailable() reason where
 * this cannot run. Everything it creates is removed by stop(), stopAll() or the process exit hook.
 */
export async function startWanVolunteer(options: WanVolunteerOptions = {}): Promise<WanVolunteer> {
  const { delayMs = 25, rateMbit = 20, lossPercent = 0, ...volunteerOptions } = options;
  const shape: LinkShape = { delayMs, rateMbit, lossPercent };
  checkShape(shape);
  const reason = wanUnavailable();
  if (reason !== undefined) throw new Error(`testkit: no WAN volunteer here: ${reason}`);
  reaped ??= reapStaleLinks();
  await reaped;
  const plan = planLink(process.pid, serial++, usedBlocks(await mustRun(['ip', '-4', '-o', 'addr', 'show'])));
  const link = await WanLink.create(plan, shape);
  let relay: TcpProxy | undefined;
  try {
    // The relay is the client's end of the link: it listens on the root namespace's veth address, so what it
    // forwards to sshd crosses the shaped veth; it adds the delay itself only where netem cannot.
    relay = await startTcpProxy({
      listenHost: plan.hostAddress,
      targetHost: plan.nsAddress,
      targetPort: SSHD_PORT,
      delayMs: link.impairments.delay === 'relay' ? delayMs : 0,
    });
    const volunteer = await startVolunteer({
      ...volunteerOptions,
      network: {
        launcher: ['ip', 'netns', 'exec', plan.namespace],
        listenAddress: plan.nsAddress,
        port: SSHD_PORT,
        clientHost: relay.host,
        clientPort: relay.port,
      },
    });
    return wanVolunteer(volunteer, relay, link);
  } catch (err) {
    await relay?.close();
    await link.remove();
    throw err;
  }
}

function wanVolunteer(volunteer: Volunteer, relay: TcpProxy, link: WanLink): WanVolunteer {
  let stopping: Promise<void> | undefined;
  return {
    volunteer,
    link: link.plan,
    impairments: link.impairments,
    lossBurst: (ms) => link.lossBurst(ms),
    async stall(ms) {
      relay.pauseTraffic();
      await new Promise((resolve) => setTimeout(resolve, ms));
      relay.resumeTraffic();
    },
    lossCounters: () => link.lossCounters(),
    stop() {
      stopping ??= (async () => {
        await volunteer.stop();
        await relay.close();
        await link.remove();
      })();
      return stopping;
    },
  };
}
