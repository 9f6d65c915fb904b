import type { CompilerMapping, HostState, SpeedEstimate, SshccError, VolunteerCapacity } from '@sshcc/core';

// One host as the whole agent knows it. The pool, the queue, `sshcc ping` and the compile loop each used
// to keep their own piece of this (and two of them called theirs HostRecord); HostTable now keeps all of
// it, and only HostTable writes it.

/** How sshcc-server starts on a host: sshd's `Subsystem sshcc`, else exec of the per-user install. */
export type ServerMode = 'subsystem' | 'exec';

/**
 * The pool's view of a host's connections. unknown: never tried (or its backoff ended, and the next
 * acquire probes it); probing: the first connect + handshake is under way, other jobs for it wait;
 * up: workers open on demand; backoff: failed, refused until retryAt, then probed.
 */
export type HostHealth = 'unknown' | 'probing' | 'up' | 'backoff';

/** A host as a host list gives it: `spec` for a remote host, `localhost` for the `localhost/N` entry. */
export interface HostSlots {
  readonly id: string;
  /** Concurrent compiles; for a remote host, one per worker channel the pool keeps open to it. */
  readonly slots: number;
  /** The `localhost/N` entry: its jobs compile on this machine, competing in the queue like a host. */
  readonly local?: boolean;
  /** The entry's `,map=` options: compilers it is asked for by another name, accepting another build of the release. */
  readonly compilerMap?: readonly CompilerMapping[];
}

export interface HostEntry {
  readonly id: string;
  readonly slots: number;
  readonly local: boolean;
  readonly compilerMap: readonly CompilerMapping[];
  /** As last set; HostTable.healthNow() first ends a backoff whose time is up. */
  readonly health: HostHealth;
  /**
   * What the queue places by (core's HostState): `backoff` while health is, `down` while the queue was
   * told so, else `up`. A host the pool has not tried yet is `up`: the queue sends it work, the pool probes.
   */
  readonly queueState: HostState;
  /** Consecutive failures that backed the host off (reset when it comes up). */
  readonly failures: number;
  /** When a backoff ends, on the table's clock; undefined for a backoff the queue was told of. */
  readonly retryAt: number | undefined;
  readonly lastError: SshccError | undefined;
  /** Jobs holding one of its slots now (running, or handed over and waiting for a channel). */
  readonly running: number;
  /** Undefined until a compile there has been timed. */
  readonly speed: SpeedEstimate | undefined;
  /** `user@host:port` of the last connection, once there was one. */
  readonly destination: string | undefined;
  /** How sshcc-server started there last, once it did: tried first next time. */
  readonly serverMode: ServerMode | undefined;
  /** Compilers (by fingerprint) the host lacks or has in another version: not sent there again. */
  readonly unfitCompilers: ReadonlySet<string>;
  /** Toolchain packs the host is known to hold. */
  readonly packs: ReadonlySet<string>;
  /**
   * The volunteer's slots and load as its last hello or job result told (every client's jobs, not only
   * this agent's), and when (the table's clock); undefined until a server that reports them answered.
   * Placement weighs it; mon and ping show it.
   */
  readonly capacity: { readonly at: number; readonly value: VolunteerCapacity } | undefined;
}
