import { formatError, type SshHost } from '@sshcc/core';
import type { HostEntry, HostTable } from '../hosts';
import type { SshConnection } from './connect-ssh';
import type { HostStatus } from './pool-events';
import type { PoolWorker, WorkerRecord } from './pool-worker';

// What the pool keeps of one host beside its HostTable entry: the connections, the worker channels on
// them, and the jobs waiting for one. Health, backoff and how the server starts are the table's.

/** A host as the pool dials it. */
export type PoolHost = Pick<SshHost, 'spec' | 'host' | 'user' | 'port' | 'slots'>;

export interface Waiter<S> {
  resolve(worker: PoolWorker<S>): void;
  reject(error: unknown): void;
  detach(): void;
}

export interface PooledConnection {
  readonly id: number;
  readonly ready: Promise<SshConnection>;
  connection: SshConnection | undefined;
  /** Channels open or being opened on it (the pool's reservations). */
  channels: number;
  /** Channels sshd has granted and not yet seen closed: what MaxSessions counts. */
  sessions: number;
  /** Channel opens go one at a time, so a refusal means exactly `sessions` is the server's limit. */
  openQueue: Promise<unknown>;
  /** Lowered when the server refuses a channel (its MaxSessions is smaller than ours). */
  capacity: number;
  /** Closed by the pool: its end is not a failure. */
  retired: boolean;
}

export interface HostChannels<S> {
  readonly host: PoolHost;
  /** Channels a new connection may carry: the pool's default until the server refuses one. */
  channelsPerConnection: number;
  conns: PooledConnection[];
  idle: WorkerRecord<S>[];
  readonly busy: Set<WorkerRecord<S>>;
  opening: number;
  waiters: Waiter<S>[];
  /** New channels that failed to start one after another while the host stayed up (reset by a success). */
  channelFailures: number;
  /** Set after such a failure: no new channels until it fires; the host's running workers serve meanwhile. */
  opensPaused: NodeJS.Timeout | undefined;
}

export function newHostChannels<S>(host: PoolHost, channelsPerConnection: number): HostChannels<S> {
  return { host, channelsPerConnection, conns: [], idle: [], busy: new Set(), opening: 0, waiters: [], channelFailures: 0, opensPaused: undefined };
}

/** Workers whose channels are still open: the idle ones and the busy ones not yet seen closed. */
export function runningWorkers<S>(h: HostChannels<S>): number {
  let running = h.idle.length;
  for (const w of h.busy) if (!w.closed) running++;
  return running;
}

/**
 * Whether the host is up with workers that still run: then the server demonstrably starts there, and its
 * waiting jobs have workers to wait for. A probe, or a host whose workers are all gone, has neither.
 */
export function hasRunningWorkers<S>(entry: HostEntry, h: HostChannels<S>): boolean {
  return entry.health === 'up' && runningWorkers(h) > 0;
}

/** Fails every job waiting for a worker on the host. */
export function rejectWaiters<S>(h: HostChannels<S>, error: unknown): void {
  for (const waiter of h.waiters.splice(0)) {
    waiter.detach();
    waiter.reject(error);
  }
}

/** Where the host was last reached (`user@host:port`), else its name: for messages. */
export function destinationOf<S>(table: HostTable, h: HostChannels<S>): string {
  return table.get(h.host.spec).destination ?? h.host.host;
}

/** One host as `sshcc ping` and the pool's tests see it: the table's entry and the pool's channels. */
export function hostStatusOf<S>(entry: HostEntry, h: HostChannels<S>): HostStatus {
  return {
    hostId: h.host.spec,
    state: entry.health,
    destination: entry.destination,
    slots: h.host.slots,
    failures: entry.failures,
    retryAt: entry.health === 'backoff' ? entry.retryAt : undefined,
    lastError: entry.lastError === undefined ? undefined : formatError(entry.lastError),
    mode: entry.serverMode,
    connections: h.conns.filter((c) => c.connection !== undefined).length,
    channelsPerConnection: h.channelsPerConnection,
    workers: { idle: h.idle.length, busy: h.busy.size, opening: h.opening },
    waiting: h.waiters.length,
  };
}
