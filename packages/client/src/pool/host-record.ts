import { formatError, type SshccError, type SshHost } from '@sshcc/core';
import type { SshConnection } from './connect-ssh';
import type { ServerMode } from './open-worker-channel';
import type { HostState, HostStatus } from './pool-events';
import type { PoolWorker, WorkerRecord } from './pool-worker';

// The pool's bookkeeping for one host and its connections. SshPool changes these records; this file
// only says what they hold.

export type PoolHost = Pick<SshHost, 'spec' | 'host' | 'user' | 'port' | 'slots'>;

export interface Waiter<S> {
  resolve(worker: PoolWorker<S>): void;
  reject(error: unknown): void;
  detach(): void;
}

export interface ConnRecord {
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

export interface HostRecord<S> {
  readonly host: PoolHost;
  state: HostState;
  failures: number;
  retryAt: number | undefined;
  lastError: SshccError | undefined;
  destination: string | undefined;
  mode: ServerMode | undefined;
  capacity: number;
  conns: ConnRecord[];
  idle: WorkerRecord<S>[];
  readonly busy: Set<WorkerRecord<S>>;
  opening: number;
  waiters: Waiter<S>[];
  /** New channels that failed to start one after another while the host stayed up (reset by a success). */
  channelFailures: number;
  /** Set after such a failure: no new channels until it fires; the host's running workers serve meanwhile. */
  opensPaused: NodeJS.Timeout | undefined;
}

export function newHostRecord<S>(host: PoolHost, capacity: number): HostRecord<S> {
  return {
    host,
    state: 'unknown',
    failures: 0,
    retryAt: undefined,
    lastError: undefined,
    destination: undefined,
    mode: undefined,
    capacity,
    conns: [],
    idle: [],
    busy: new Set(),
    opening: 0,
    waiters: [],
    channelFailures: 0,
    opensPaused: undefined,
  };
}

export function hostStatusOf<S>(h: HostRecord<S>): HostStatus {
  return {
    hostId: h.host.spec,
    state: h.state,
    destination: h.destination,
    slots: h.host.slots,
    failures: h.failures,
    retryAt: h.state === 'backoff' ? h.retryAt : undefined,
    lastError: h.lastError === undefined ? undefined : formatError(h.lastError),
    mode: h.mode,
    connections: h.conns.filter((c) => c.connection !== undefined).length,
    channelsPerConnection: h.capacity,
    workers: { idle: h.idle.length, busy: h.busy.size, opening: h.opening },
    waiting: h.waiters.length,
  };
}
