import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
import { isSshccError, SshccError } from '@sshcc/core';
import { backoffDelayMs, backoffPolicyFromEnv, type BackoffPolicy } from '../hosts';
import { ChannelStartFailure } from './channel-start-failure';
import { classifySshError, meansUnreachable } from './classify-ssh-error';
import { connectSsh, type SshConnectOptions, type SshConnection } from './connect-ssh';
import { ChannelRefusedError, openWorkerChannel, type WorkerHandshake } from './open-worker-channel';
import type { ChannelCloseReason, HostStatus, PoolEvent } from './pool-events';
import { hostStatusOf, newHostRecord, type ConnRecord, type HostRecord, type PoolHost, type Waiter } from './host-record';
import { WorkerRecord, type PoolWorker } from './pool-worker';
import { remoteServerCommand } from './remote-server-command';

// Per host: up to `slots` worker channels, spread over connections of at most `channelsPerConnection`
// channels each, opened when a job needs one, at most MAX_OPENING_PER_HOST at a time. The first worker on
// a host is a probe: other jobs for it wait for it instead of each dialling at once. Any failure to
// connect, a connection dying, or a server failing to start while nothing on the host runs, backs the host
// off (5 s doubling to 5 min by default); after that the next acquire() probes it again. A server failing
// to start beside workers that run costs only that channel: new channels pause (same doubling) and the
// waiting jobs get the running workers meanwhile.

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
  /** Runs the protocol handshake on a fresh channel (see sshccHandshake). */
  readonly handshake: WorkerHandshake<S>;
  readonly channelsPerConnection?: number;
  /** Default: SSHCC_BACKOFF_MS from `connect.env` as the first wait, else 5 s; doubling to 5 min. */
  readonly backoff?: BackoffPolicy;
  /** The clock backoff is measured on (ms). */
  readonly now?: () => number;
  /** Shell command for exec mode; default $SSHCC_SERVER_COMMAND or the per-user install. */
  readonly serverCommand?: string;
  /** From the channel open to the server's hello (default DEFAULT_HANDSHAKE_TIMEOUT_MS); never counts time queued. */
  readonly handshakeTimeoutMs?: number;
  /** How connections are made (env, ssh config file, keepalive overrides). */
  readonly connect?: Omit<SshConnectOptions, 'onNote'>;
}

export class SshPool<S> extends EventEmitter<{ event: [PoolEvent] }> {
  private readonly hosts = new Map<string, HostRecord<S>>();
  private readonly now: () => number;
  private readonly execCommand: string;
  private readonly backoff: BackoffPolicy;
  private nextWorkerId = 1;
  private nextConnId = 1;
  private closed = false;
  /** Connections being made or still open: close() waits for them. */
  private readonly ending = new Set<Promise<unknown>>();

  constructor(private readonly options: SshPoolOptions<S>) {
    super();
    this.now = options.now ?? Date.now;
    this.execCommand = options.serverCommand ?? remoteServerCommand(options.connect?.env ?? process.env);
    this.backoff = options.backoff ?? backoffPolicyFromEnv(options.connect?.env ?? process.env);
    const capacity = options.channelsPerConnection ?? DEFAULT_CHANNELS_PER_CONNECTION;
    if (!Number.isInteger(capacity) || capacity < 1) throw new SshccError('config', `channelsPerConnection must be a positive integer, not ${capacity}`);
    for (const host of options.hosts) {
      if (this.hosts.has(host.spec)) throw new SshccError('config', `host ${host.spec} is listed twice`);
      this.hosts.set(host.spec, newHostRecord(host, capacity));
    }
  }

  /** False while the host is backed off (acquire would refuse it at once). */
  isAvailable(hostId: string): boolean {
    const h = this.record(hostId);
    this.expireBackoff(h);
    return !this.closed && h.state !== 'backoff';
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
    this.expireBackoff(h);
    if (h.state === 'backoff') return Promise.reject(this.backedOffError(h));
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

  /** Gives a worker back. `broken`: its channel can't be trusted (job cancelled, protocol error): close it. */
  release(worker: PoolWorker<S>, options: { broken?: boolean } = {}): void {
    const h = this.hosts.get(worker.hostId);
    const w = worker as WorkerRecord<S>;
    if (h === undefined || !h.busy.delete(w)) return;
    if (options.broken || w.closed || h.state !== 'up' || this.closed) {
      this.closeWorker(h, w, options.broken ? 'broken' : 'host-failed');
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
    const h = this.record(hostId);
    if (this.closed || h.state === 'backoff') return;
    const wasUp = h.state === 'up';
    const delayMs = this.backOff(h, error);
    for (const w of h.idle.splice(0)) this.closeWorker(h, w, 'host-failed');
    if (wasUp) this.emitEvent({ type: 'host-down', hostId: h.host.spec, error });
    this.emitEvent({ type: 'host-backoff', hostId: h.host.spec, error, failures: h.failures, delayMs, retryAt: h.retryAt as number });
    this.rejectWaiters(h, error);
  }

  hostStatus(): HostStatus[] {
    return [...this.hosts.values()].map((h) => {
      this.expireBackoff(h);
      return hostStatusOf(h);
    });
  }

  /** Ends every channel and connection; pending and later acquire() calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.hosts.values()) {
      this.resumeOpens(h);
      this.rejectWaiters(h, poolClosedError());
      this.retireHost(h, 'pool-closed');
    }
    // Connections still dialling are closed as they arrive and join `ending`, hence the loop.
    const deadline = Date.now() + CLOSE_WAIT_MS;
    while (this.ending.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
      await Promise.race([Promise.allSettled([...this.ending]), giveUp]);
      clearTimeout(timer);
    }
  }

  private record(hostId: string): HostRecord<S> {
    const h = this.hosts.get(hostId);
    if (h === undefined) throw unknownHostError(hostId);
    return h;
  }

  private emitEvent(event: PoolEvent): void {
    this.emit('event', event);
  }

  private expireBackoff(h: HostRecord<S>): void {
    if (h.state === 'backoff' && h.retryAt !== undefined && this.now() >= h.retryAt) h.state = 'unknown';
  }

  private backedOffError(h: HostRecord<S>): SshccError {
    const last = h.lastError ?? new SshccError('connect', 'failed');
    const seconds = Math.max(1, Math.ceil(((h.retryAt ?? 0) - this.now()) / 1000));
    return new SshccError(last.code, `${h.host.spec} is backed off for ${seconds} s after: ${last.message}`, {
      cause: last,
      ...(last.hint === undefined ? {} : { hint: last.hint }),
    });
  }

  private give(h: HostRecord<S>, waiter: Waiter<S>, w: WorkerRecord<S>): void {
    waiter.detach();
    h.busy.add(w);
    waiter.resolve(w);
  }

  private rejectWaiters(h: HostRecord<S>, error: unknown): void {
    for (const waiter of h.waiters.splice(0)) {
      waiter.detach();
      waiter.reject(error);
    }
  }

  /** Matches waiting acquire() calls with idle workers, and opens workers while slots allow. */
  private pump(h: HostRecord<S>): void {
    if (this.closed) return;
    while (h.waiters.length > 0 && h.idle.length > 0) this.give(h, h.waiters.shift()!, h.idle.pop()!);
    if (h.waiters.length === 0) return;
    this.expireBackoff(h);
    if (h.state === 'backoff') return this.rejectWaiters(h, this.backedOffError(h));
    if (h.state === 'unknown') {
      h.state = 'probing';
      return this.startWorker(h);
    }
    // A pause leaves the waiters to the running workers; with none left, waiting for it helps nobody.
    if (h.opensPaused !== undefined && !this.hasRunningWorkers(h)) this.resumeOpens(h);
    if (h.state === 'probing' || h.opensPaused !== undefined) return;
    let total = h.idle.length + h.busy.size + h.opening;
    for (let want = h.waiters.length - h.opening; want > 0 && total < h.host.slots && h.opening < MAX_OPENING_PER_HOST; want--, total++) {
      this.startWorker(h);
    }
  }

  private startWorker(h: HostRecord<S>): void {
    h.opening++;
    this.openWorker(h).then(
      (w) => {
        h.opening--;
        if (this.closed || h.state === 'backoff') return this.closeWorker(h, w, this.closed ? 'pool-closed' : 'host-failed');
        if (h.state !== 'up') {
          h.state = 'up';
          h.failures = 0;
          this.emitEvent({ type: 'host-up', hostId: h.host.spec, destination: h.destination ?? h.host.host });
        }
        h.channelFailures = 0;
        h.idle.push(w);
        this.pump(h);
      },
      (error: unknown) => {
        h.opening--;
        if (this.closed) return;
        const cause = error instanceof ChannelStartFailure ? error.cause : error;
        if (this.hasRunningWorkers(h) && !endsTheHost(cause)) {
          return this.channelFailed(h, cause, error instanceof ChannelStartFailure ? 'a new worker channel failed and was closed' : 'a new connection failed');
        }
        this.hostFailed(h, cause);
      },
    );
  }

  /**
   * Whether the host is up with workers that still run: then the server demonstrably starts there, and its
   * waiting jobs have workers to wait for. A probe, or a host whose workers are all gone, has neither.
   */
  private hasRunningWorkers(h: HostRecord<S>): boolean {
    if (h.state !== 'up') return false;
    if (h.idle.length > 0) return true;
    for (const w of h.busy) if (!w.closed) return true;
    return false;
  }

  /**
   * One new channel's server, or one extra connection, failed beside running workers: pause new channels;
   * waiters keep waiting. An extra connection is refused for reasons of the moment (sshd's MaxStartups drops
   * a burst of unauthenticated connections, a firewall rate-limits them) while the first one serves on.
   */
  private channelFailed(h: HostRecord<S>, cause: unknown, what: string): void {
    h.channelFailures++;
    const delayMs = backoffDelayMs(h.channelFailures, this.backoff);
    const why = classifySshError(cause, { destination: h.destination ?? h.host.host });
    this.resumeOpens(h);
    h.opensPaused = setTimeout(() => {
      h.opensPaused = undefined;
      this.pump(h);
    }, delayMs);
    // Only a pause: close() and a backoff clear it, and it must not keep a finished process alive.
    h.opensPaused.unref();
    const running = h.idle.length + [...h.busy].filter((w) => !w.closed).length;
    this.emitEvent({
      type: 'note',
      hostId: h.host.spec,
      message: `${what} (${why.message}${why.hint ? `: ${why.hint}` : ''}); the host stays up with ${running} running, next new channel in ${Math.ceil(delayMs / 100) / 10} s`,
    });
  }

  /** Ends a pause on new channels (without pumping). */
  private resumeOpens(h: HostRecord<S>): void {
    if (h.opensPaused === undefined) return;
    clearTimeout(h.opensPaused);
    h.opensPaused = undefined;
  }

  private async openWorker(h: HostRecord<S>): Promise<WorkerRecord<S>> {
    for (;;) {
      const conn = h.conns.find((c) => !c.retired && c.channels < c.capacity) ?? this.openConnection(h);
      conn.channels++;
      let connection: SshConnection | undefined;
      try {
        connection = await conn.ready;
        const opened = await openWorkerChannel(connection, {
          hostId: h.host.spec,
          preferredMode: h.mode,
          tryOtherMode: h.state !== 'up',
          execCommand: this.execCommand,
          handshake: this.options.handshake,
          ...(this.options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: this.options.handshakeTimeoutMs }),
          openThrough: (open) => this.openInTurn(conn, open),
        });
        h.mode = opened.mode;
        const w = new WorkerRecord(this.nextWorkerId++, h.host.spec, opened.session, opened.channel, opened.mode, conn.id, opened.stderrTail);
        opened.channel.on('close', () => this.channelGone(h, w));
        this.emitEvent({ type: 'channel-opened', hostId: h.host.spec, workerId: w.id, connectionId: conn.id, mode: w.mode });
        return w;
      } catch (error) {
        conn.channels--;
        if (connection?.isOpen() && !(error instanceof ChannelRefusedError) && !(isSshccError(error) && error.code === 'connect')) {
          throw new ChannelStartFailure(error);
        }
        if (!(error instanceof ChannelRefusedError)) throw error;
        // The server's MaxSessions is below ours: what this connection holds now is its limit.
        const limit = conn.sessions;
        conn.capacity = limit;
        if (limit === 0) throw new SshccError('protocol', `${h.destination ?? h.host.host} refuses every session channel`, { cause: error });
        if (limit < h.capacity) {
          h.capacity = limit;
          this.emitEvent({
            type: 'note',
            hostId: h.host.spec,
            message: `${h.destination ?? h.host.host} refused channel ${limit + 1} on one connection (${error.message}); using ${limit} per connection`,
          });
        }
      }
    }
  }

  /** Opens one channel on `conn` after the previous open there finished, counting what sshd granted. */
  private openInTurn(conn: ConnRecord, open: () => Promise<ClientChannel>): Promise<ClientChannel> {
    const turn = conn.openQueue.then(open).then((channel) => {
      conn.sessions++;
      channel.once('close', () => conn.sessions--);
      return channel;
    });
    conn.openQueue = turn.catch(() => undefined);
    return turn;
  }

  private openConnection(h: HostRecord<S>): ConnRecord {
    const conn: ConnRecord = {
      id: this.nextConnId++,
      connection: undefined,
      channels: 0,
      sessions: 0,
      openQueue: Promise.resolve(),
      capacity: h.capacity,
      retired: false,
      // The callbacks run after `conn` exists.
      ready: connectSsh(h.host, {
        ...this.options.connect,
        onNote: (message) => this.emitEvent({ type: 'note', hostId: h.host.spec, message }),
      }).then(
        (connection) => this.connectionReady(h, conn, connection),
        (error: unknown) => {
          h.conns = h.conns.filter((c) => c !== conn);
          throw error;
        },
      ),
    };
    this.track(conn.ready);
    h.conns.push(conn);
    return conn;
  }

  /** Keeps close() waiting for `work`; also keeps an unused rejection from being reported unhandled. */
  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.ending.add(settled);
    void settled.then(() => this.ending.delete(settled));
  }

  private connectionReady(h: HostRecord<S>, conn: ConnRecord, connection: SshConnection): SshConnection {
    this.track(connection.ended);
    if (conn.retired) {
      connection.close();
      throw h.lastError ?? poolClosedError();
    }
    conn.connection = connection;
    h.destination = connection.destination;
    this.emitEvent({ type: 'connection-opened', hostId: h.host.spec, connectionId: conn.id, destination: connection.destination });
    void connection.ended.then((reason) => this.connectionEnded(h, conn, reason));
    return connection;
  }

  private connectionEnded(h: HostRecord<S>, conn: ConnRecord, reason: SshccError | undefined): void {
    h.conns = h.conns.filter((c) => c !== conn);
    this.emitEvent({ type: 'connection-closed', hostId: h.host.spec, connectionId: conn.id, error: reason });
    if (conn.retired || this.closed) return;
    conn.retired = true;
    this.hostFailed(h, reason ?? new SshccError('connect', `connection to ${h.destination ?? h.host.host} ended`));
  }

  private hostFailed(h: HostRecord<S>, failure: unknown): void {
    if (h.state === 'backoff') return; // several workers failing together are one failure
    const error = classifySshError(failure, { destination: h.destination ?? h.host.host });
    const wasUp = h.state === 'up';
    const delayMs = this.backOff(h, error);
    this.retireHost(h, 'host-failed');
    if (wasUp) this.emitEvent({ type: 'host-down', hostId: h.host.spec, error });
    this.emitEvent({ type: 'host-backoff', hostId: h.host.spec, error, failures: h.failures, delayMs, retryAt: h.retryAt as number });
    this.rejectWaiters(h, error);
  }

  /** Counts the failure and puts the host in backoff; returns the wait. */
  private backOff(h: HostRecord<S>, error: SshccError): number {
    this.resumeOpens(h);
    h.channelFailures = 0;
    h.failures++;
    const delayMs = backoffDelayMs(h.failures, this.backoff);
    h.state = 'backoff';
    h.retryAt = this.now() + delayMs;
    h.lastError = error;
    return delayMs;
  }

  /** Closes all of a host's connections; busy workers are dropped when released. */
  private retireHost(h: HostRecord<S>, reason: ChannelCloseReason): void {
    for (const w of h.idle.splice(0)) this.closeWorker(h, w, reason);
    for (const w of h.busy) this.markClosed(h, w, reason);
    for (const conn of h.conns) {
      conn.retired = true;
      conn.connection?.close();
    }
  }

  private closeWorker(h: HostRecord<S>, w: WorkerRecord<S>, reason: ChannelCloseReason): void {
    if (this.markClosed(h, w, reason)) w.channel.close();
  }

  /** Bookkeeping for a worker's end, once; true the first time. */
  private markClosed(h: HostRecord<S>, w: WorkerRecord<S>, reason: ChannelCloseReason): boolean {
    if (w.closed) return false;
    w.closed = true;
    const conn = h.conns.find((c) => c.id === w.connectionId);
    if (conn !== undefined) conn.channels--;
    this.emitEvent({ type: 'channel-closed', hostId: h.host.spec, workerId: w.id, reason });
    return true;
  }

  /** The server side closed a channel (sshcc-server exited): an idle worker is dropped, a busy one on release. */
  private channelGone(h: HostRecord<S>, w: WorkerRecord<S>): void {
    if (!this.markClosed(h, w, 'server-closed')) return;
    const index = h.idle.indexOf(w);
    if (index !== -1) h.idle.splice(index, 1);
    this.pump(h);
  }
}

function unknownHostError(hostId: string): SshccError {
  return new SshccError('internal', `the pool has no host ${hostId}`);
}

function poolClosedError(): SshccError {
  return new SshccError('connect', 'the connection pool is closed');
}

/**
 * A new connection's failure that fails the whole host even beside running workers: the machine stopped
 * answering (its running workers would only wait for their keepalives, and jobs queued for it with them),
 * or it presents a key its known_hosts line does not vouch for (the name may now lead elsewhere).
 */
function endsTheHost(error: unknown): boolean {
  return meansUnreachable(error) || (isSshccError(error) && error.code === 'host-key');
}
