import { EventEmitter } from 'node:events';
import { SshccError } from '@sshcc/core';
import { backoffPolicyFromEnv, HostTable, type BackoffPolicy, type HostEntry } from '../hosts';
import type { SshConnectOptions } from './connect-ssh';
import { ConnectionEnds } from './connection-ends';
import { destinationOf, hasRunningWorkers, hostStatusOf, newHostChannels, rejectWaiters, type HostChannels, type PoolHost, type Waiter } from './host-channels';
import { HostFailures } from './host-failures';
import { resumeNewChannels } from './new-channel-pause';
import type { WorkerHandshake } from './open-worker-channel';
import { poolClosedError, unknownHostError } from './pool-errors';
import type { HostStatus, PoolEvent } from './pool-events';
import type { PoolWorker, WorkerRecord } from './pool-worker';
import { remoteServerCommand } from './remote-server-command';
import { closeWorker, markClosed, retireHost } from './worker-closing';
import { WorkerOpener } from './worker-opener';

// Per host: up to `slots` worker channels, spread over connections of at most `channelsPerConnection`
// channels each, opened when a job needs one, at most MAX_OPENING_PER_HOST at a time. The first worker on
// a host is a probe: other jobs for it wait for it instead of each dialling at once. Any failure to
// connect, a connection dying, or a server failing to start while nothing on the host runs, backs the host
// off (5 s doubling to 5 min by default); after that the next acquire() probes it again. A server failing
// to start beside workers that run costs only that channel: new channels pause (same doubling) and the
// waiting jobs get the running workers meanwhile. This file lends workers; worker-opener.ts opens them
// and their connections, host-failures.ts decides what a failure costs, and the host's health, backoff
// and server mode live in its HostTable.

/**
 * One below sshd's default MaxSessions (10): sshd frees a session only when a channel's close handshake
 * completes, and a broken worker's replacement is opened at once.
 */
export const DEFAULT_CHANNELS_PER_CONNECTION = 9;
/**
 * Channels being opened at once on one host. Each opening channel starts a sshcc-server, a ~60 MB Node
 * process, on the volunteer: a make -j64 burst of ~60 such starts on one loaded machine made them miss the
 * handshake timeout although one alone answers in well under a second. Workers live long, so the cap only
 * paces the ramp-up.
 */
export const MAX_OPENING_PER_HOST = 3;
/** close() waits this long for connections to end before giving up on them. */
const CLOSE_WAIT_MS = 3_000;

export type { PoolHost };

export interface SshPoolOptions<S> {
  readonly hosts: readonly PoolHost[];
  /**
   * The agent's per-host state, shared with the queue; it must hold every host of `hosts`. Default: a
   * table of `hosts` the pool keeps to itself.
   */
  readonly hostTable?: HostTable;
  /** Runs the protocol handshake on a fresh channel (see sshccHandshake). */
  readonly handshake: WorkerHandshake<S>;
  readonly channelsPerConnection?: number;
  /** Default: SSHCC_BACKOFF_MS from `connect.env` as the first wait, else 5 s; doubling to 5 min. */
  readonly backoff?: BackoffPolicy;
  /** The clock backoff is measured on (ms), for the table the pool makes when given none. */
  readonly now?: () => number;
  /** Shell command for exec mode; default $SSHCC_SERVER_COMMAND or the per-user install. */
  readonly serverCommand?: string;
  /** From the channel open to the server's hello (default DEFAULT_HANDSHAKE_TIMEOUT_MS); never counts time queued. */
  readonly handshakeTimeoutMs?: number;
  /** How connections are made (env, ssh config file, keepalive overrides). */
  readonly connect?: Omit<SshConnectOptions, 'onNote'>;
}

export class SshPool<S> extends EventEmitter<{ event: [PoolEvent] }> {
  /** Health, backoff, destination and server mode of each host. */
  readonly hostTable: HostTable;
  private readonly ownsTable: boolean;
  private readonly hosts = new Map<string, HostChannels<S>>();
  private readonly ends = new ConnectionEnds();
  private readonly opener: WorkerOpener<S>;
  private readonly failures: HostFailures<S>;
  private closed = false;

  constructor(options: SshPoolOptions<S>) {
    super();
    const env = options.connect?.env ?? process.env;
    const capacity = options.channelsPerConnection ?? DEFAULT_CHANNELS_PER_CONNECTION;
    if (!Number.isInteger(capacity) || capacity < 1) throw new SshccError('config', `channelsPerConnection must be a positive integer, not ${capacity}`);
    for (const host of options.hosts) {
      if (this.hosts.has(host.spec)) throw new SshccError('config', `host ${host.spec} is listed twice`);
      this.hosts.set(host.spec, newHostChannels(host, capacity));
    }
    this.ownsTable = options.hostTable === undefined;
    this.hostTable = options.hostTable ?? new HostTable(options.hosts.map((host) => ({ id: host.spec, slots: host.slots })), { now: options.now });
    for (const spec of this.hosts.keys()) {
      if (!this.hostTable.has(spec)) throw new SshccError('internal', `host ${spec} is missing from the host table given to the pool`);
    }
    const policy = options.backoff ?? backoffPolicyFromEnv(env);
    this.failures = new HostFailures({ table: this.hostTable, policy, emit: this.emitEvent, pump: (h) => this.pump(h) });
    const handshake = { handshake: options.handshake, handshakeTimeoutMs: options.handshakeTimeoutMs };
    this.opener = new WorkerOpener({ ...handshake, execCommand: options.serverCommand ?? remoteServerCommand(env), connect: options.connect }, this.hostTable, this.ends, {
      emit: this.emitEvent,
      isClosed: () => this.closed,
      connectionLost: (h, reason) => this.failures.hostFailed(h, reason),
      channelGone: (h, w) => this.channelGone(h, w),
    });
  }

  /** False while the host is backed off (acquire would refuse it at once). */
  isAvailable(hostId: string): boolean {
    this.channelsOf(hostId);
    return !this.closed && this.hostTable.healthNow(hostId) !== 'backoff';
  }

  /**
   * A worker on `hostId` for one job: an idle one, a new one while the host has free slots, else the next
   * one released. Rejects with the host's SshccError (connect, auth, host-key, protocol) when it is backed
   * off or fails meanwhile, and with `signal.reason` when aborted. Give it back with release().
   */
  acquire(hostId: string, signal?: AbortSignal): Promise<PoolWorker<S>> {
    const h = this.hosts.get(hostId);
    if (h === undefined) return Promise.reject(unknownHostError(hostId));
    if (this.closed) return Promise.reject(poolClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.hostTable.healthNow(hostId) === 'backoff') return Promise.reject(this.hostTable.backedOffError(hostId));
    const idle = h.idle.pop();
    if (idle !== undefined) {
      h.busy.add(idle);
      return Promise.resolve(idle);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        h.waiters = h.waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter<S> = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      h.waiters.push(waiter);
      this.pump(h);
    });
  }

  /**
   * A channel on `hostId` outside its job slots, for work that must not take one (a toolchain push
   * runs for seconds while the host's jobs keep every slot). close() ends it.
   */
  async openSide(hostId: string): Promise<{ readonly session: S; close(): void }> {
    const h = this.channelsOf(hostId);
    if (this.closed) throw poolClosedError();
    if (this.hostTable.healthNow(hostId) === 'backoff') throw this.hostTable.backedOffError(hostId);
    const w = await this.opener.open(h);
    return { session: w.session, close: () => closeWorker(h, w, 'side-done', this.emitEvent) };
  }

  /** Gives a worker back. `broken`: its channel can't be trusted (job cancelled, protocol error): close it. */
  release(worker: PoolWorker<S>, options: { broken?: boolean } = {}): void {
    const h = this.hosts.get(worker.hostId);
    const w = worker as WorkerRecord<S>;
    if (h === undefined || !h.busy.delete(w)) return;
    if (options.broken || w.closed || this.entryOf(h).health !== 'up' || this.closed) {
      closeWorker(h, w, options.broken ? 'broken' : 'host-failed', this.emitEvent);
      this.pump(h);
      return;
    }
    const waiter = h.waiters.shift();
    if (waiter !== undefined) this.give(h, waiter, w);
    else h.idle.push(w);
  }

  /**
   * A job found the host, not itself, at fault while its connection is fine (the volunteer's disk is
   * full): back the host off as a failed connection would, but let the jobs running there finish.
   * Its workers close as they come back; after the backoff the next acquire() probes it again.
   */
  reportHostFault(hostId: string, error: SshccError): void {
    const h = this.channelsOf(hostId);
    if (!this.closed) this.failures.hostFault(h, error);
  }

  hostStatus(): HostStatus[] {
    return [...this.hosts.values()].map((h) => {
      this.hostTable.healthNow(h.host.spec);
      return hostStatusOf(this.entryOf(h), h);
    });
  }

  /** Ends every channel and connection; pending and later acquire() calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.hosts.values()) {
      resumeNewChannels(h);
      rejectWaiters(h, poolClosedError());
      retireHost(h, 'pool-closed', this.emitEvent);
    }
    if (this.ownsTable) this.hostTable.close();
    await this.ends.settle(CLOSE_WAIT_MS);
  }

  private readonly emitEvent = (event: PoolEvent): void => {
    this.emit('event', event);
  };

  private channelsOf(hostId: string): HostChannels<S> {
    const h = this.hosts.get(hostId);
    if (h === undefined) throw unknownHostError(hostId);
    return h;
  }

  private entryOf(h: HostChannels<S>): HostEntry {
    return this.hostTable.get(h.host.spec);
  }

  private give(h: HostChannels<S>, waiter: Waiter<S>, w: WorkerRecord<S>): void {
    waiter.detach();
    h.busy.add(w);
    waiter.resolve(w);
  }

  /** Matches waiting acquire() calls with idle workers, and opens workers while slots allow. */
  private pump(h: HostChannels<S>): void {
    if (this.closed) return;
    while (h.waiters.length > 0 && h.idle.length > 0) this.give(h, h.waiters.shift()!, h.idle.pop()!);
    if (h.waiters.length === 0) return;
    const hostId = h.host.spec;
    const health = this.hostTable.healthNow(hostId);
    if (health === 'backoff') return rejectWaiters(h, this.hostTable.backedOffError(hostId));
    if (health === 'unknown') {
      this.hostTable.startProbe(hostId);
      return this.startWorker(h);
    }
    // A pause leaves the waiters to the running workers; with none left, waiting for it helps nobody.
    if (h.opensPaused !== undefined && !hasRunningWorkers(this.entryOf(h), h)) resumeNewChannels(h);
    if (health === 'probing' || h.opensPaused !== undefined) return;
    const { slots } = this.entryOf(h);
    let total = h.idle.length + h.busy.size + h.opening;
    for (let want = h.waiters.length - h.opening; want > 0 && total < slots && h.opening < MAX_OPENING_PER_HOST; want--, total++) {
      this.startWorker(h);
    }
  }

  private startWorker(h: HostChannels<S>): void {
    h.opening++;
    this.opener.open(h).then(
      (w) => {
        h.opening--;
        if (this.closed || this.entryOf(h).health === 'backoff') return closeWorker(h, w, this.closed ? 'pool-closed' : 'host-failed', this.emitEvent);
        if (this.hostTable.markUp(h.host.spec)) this.emitEvent({ type: 'host-up', hostId: h.host.spec, destination: destinationOf(this.hostTable, h) });
        h.channelFailures = 0;
        h.idle.push(w);
        this.pump(h);
      },
      (error: unknown) => {
        h.opening--;
        if (!this.closed) this.failures.workerFailed(h, error);
      },
    );
  }

  /** The server side closed a channel (sshcc-server exited): an idle worker is dropped, a busy one on release. */
  private channelGone(h: HostChannels<S>, w: WorkerRecord<S>): void {
    if (!markClosed(h, w, 'server-closed', this.emitEvent)) return;
    const index = h.idle.indexOf(w);
    if (index !== -1) h.idle.splice(index, 1);
    this.pump(h);
  }
}
