import type { SshccError } from '@sshcc/core';
import type { HostHealth, ServerMode } from '../hosts';

// What the pool tells the agent's monitor feed and log. One event type, so a listener can forward them
// without knowing each kind.

export type ChannelCloseReason = 'broken' | 'server-closed' | 'host-failed' | 'pool-closed' | 'side-done';

export type PoolEvent =
  | { readonly type: 'host-up'; readonly hostId: string; readonly destination: string }
  /** A host that was up lost a connection or failed a worker; a host-backoff event follows. */
  | { readonly type: 'host-down'; readonly hostId: string; readonly error: SshccError }
  | {
      readonly type: 'host-backoff';
      readonly hostId: string;
      readonly error: SshccError;
      /** Consecutive failures, this one included. */
      readonly failures: number;
      readonly delayMs: number;
      /** On the pool's clock. */
      readonly retryAt: number;
    }
  | { readonly type: 'connection-opened'; readonly hostId: string; readonly connectionId: number; readonly destination: string }
  | { readonly type: 'connection-closed'; readonly hostId: string; readonly connectionId: number; readonly error: SshccError | undefined }
  | {
      readonly type: 'channel-opened';
      readonly hostId: string;
      readonly workerId: number;
      readonly connectionId: number;
      readonly mode: ServerMode;
    }
  | { readonly type: 'channel-closed'; readonly hostId: string; readonly workerId: number; readonly reason: ChannelCloseReason }
  | { readonly type: 'note'; readonly hostId: string; readonly message: string };

/** One host as `sshcc ping` / `sshcc mon` show it. */
export interface HostStatus {
  readonly hostId: string;
  /** The pool's health of the host (HostTable's `health`; the queue places by `queueState`). */
  readonly state: HostHealth;
  /** `user@host:port` of the last connection, once there was one. */
  readonly destination: string | undefined;
  readonly slots: number;
  readonly failures: number;
  /** On the pool's clock; set while backed off. */
  readonly retryAt: number | undefined;
  /** The last failure, as its one-line message. */
  readonly lastError: string | undefined;
  /** How sshcc-server starts there, once known. */
  readonly mode: ServerMode | undefined;
  readonly connections: number;
  readonly channelsPerConnection: number;
  readonly workers: { readonly idle: number; readonly busy: number; readonly opening: number };
  /** acquire() calls waiting for a worker. */
  readonly waiting: number;
}
