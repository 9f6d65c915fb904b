import type { Capacity } from '@sshcc/protocol';
// The agent's event feed: one ordered stream of what happens to jobs and hosts. Stats, the recent-jobs
// ring behind `sshcc trace` and the live view behind `sshcc mon` are all folds of it, and `sshcc mon`
// receives it as it happens. Times are milliseconds since the epoch, with fractions (for traces).

import type { AttemptDeparture } from '@sshcc/core';

/** A compile slot: on a remote host, on the `localhost/N` entry, or a `--localslots` slot (host null). */
export interface SlotRef {
  readonly host: string | null;
  /** The grant went to this machine (the localhost entry or a fallback). */
  readonly local: boolean;
  /** 0-based; unique among the slots of that host busy at the same time. */
  readonly slot: number;
}

/** How one attempt on a compile slot ended. */
export type AttemptOutcome =
  | 'compiled' // the compiler ran remotely and its answer is the job's
  | 'local' // compiled here, in the agent
  | AttemptDeparture; // how it left the remote path: core's DEPARTURES row (compile-error, timeout, cancelled, …)

/**
 * Where a job's result cache lookup ended: answered from the agent's cache, from the volunteer's, or
 * a miss everywhere (compiled, and stored); null when no lookup was made (the cache is off).
 */
export type CacheUse = 'agent' | 'agent-direct' | 'volunteer' | 'miss';

/** Server- and client-side figures of a remote attempt. */
export interface AttemptFigures {
  /** The volunteer's own split (protocol JobTimings). */
  readonly receiveMs: number;
  readonly compileMs: number;
  readonly totalMs: number;
  readonly sentBytes: number;
  readonly sentWireBytes: number;
  readonly receivedBytes: number;
  readonly receivedWireBytes: number;
  /** The volunteer answered from its result cache (no compiler ran there). */
  readonly cached?: boolean;
  /** Of totalMs, the wait for one of the volunteer's slots (shared with its other clients). */
  readonly slotWaitMs?: number;
}

/** A volunteer's answer compiled again here and compared (SSHCC_VERIFY): whose, and whether the objects were the same. */
export interface Verification {
  readonly host: string;
  readonly match: boolean;
}

/** Where a job ended up. `error`: sshcc answered with its own failure (e.g. no such compiler). */
export type JobResultKind = 'remote' | 'local' | 'error' | 'cancelled';

/** A toolchain push to a host that lacked a compiler: begun, stored there, or failed (then `message` says why). */
export interface PackPush {
  readonly host: string;
  /** The pack's id ('' when it could not even be built). */
  readonly pack: string;
  readonly state: 'pushing' | 'held' | 'failed';
  /** Archive bytes sent (0: the host had every file); null until it is over. */
  readonly wireBytes: number | null;
  /** Files sent, of the pack's `files`; null until it is over. */
  readonly filesSent: number | null;
  readonly files: number;
  /** From the decision to push to its end; null while pushing. */
  readonly ms: number | null;
  readonly message: string;
}

export type FeedEvent =
  /** A compile request reached the agent. `label`: the output as the build names it. */
  | { readonly type: 'job-start'; readonly job: number; readonly at: number; readonly label: string; readonly cwd: string }
  /** The analysis named the output (a better label than the guess at start). */
  | { readonly type: 'job-label'; readonly job: number; readonly at: number; readonly label: string }
  /** Waiting for a local preprocessor slot. */
  | { readonly type: 'cpp-wait'; readonly job: number; readonly at: number }
  | { readonly type: 'preprocess-start'; readonly job: number; readonly at: number; readonly slot: number }
  | { readonly type: 'preprocess-end'; readonly job: number; readonly at: number }
  /** Waiting in the one compile queue (again, after a failed attempt). */
  | { readonly type: 'compile-wait'; readonly job: number; readonly at: number }
  | ({ readonly type: 'slot-granted'; readonly job: number; readonly at: number } & SlotRef)
  /** The whole source went up (`sent`) or the result came back (`answered`). */
  | { readonly type: 'stage'; readonly job: number; readonly at: number; readonly stage: 'sent' | 'answered' }
  /** The compile slot was released. */
  | {
      readonly type: 'slot-released';
      readonly job: number;
      readonly at: number;
      readonly outcome: AttemptOutcome;
      readonly figures: AttemptFigures | null;
    }
  | {
      readonly type: 'job-end';
      readonly job: number;
      readonly at: number;
      readonly result: JobResultKind;
      /** The host that compiled it (remote), else null. */
      readonly host: string | null;
      /** Why it ran locally (a stats key: core's LocalReason, `fallback`, `compile-error`, …) or why it failed. */
      readonly reason: string | null;
      /** It failed on at least one host first. */
      readonly failedOver: boolean;
      /** The compiler's exit code as answered; null when the client runs the compiler itself. */
      readonly exitCode: number | null;
      /** The result cache's part in it; absent from agents before the cache. */
      readonly cache?: CacheUse | null;
      /** Its source went to a volunteer while it was still being preprocessed; absent from agents before streaming. */
      readonly streamed?: boolean;
      /** Sampled verification compiled it here too and compared; absent from agents before verification. */
      readonly verified?: Verification | null;
    }
  /** A configuration's hosts and local slots (sent when the agent first routes a build to them). */
  | {
      readonly type: 'hosts';
      readonly at: number;
      readonly hosts: readonly { readonly id: string; readonly slots: number; readonly local: boolean }[];
      readonly cppSlots: number;
      readonly localSlots: number;
    }
  | ({ readonly type: 'pack'; readonly at: number } & PackPush)
  /** A volunteer's hello or job result told its slots (every client's jobs); sent each time it told. */
  | { readonly type: 'capacity'; readonly at: number; readonly host: string; readonly capacity: Capacity }
  /** A server's hello listed the packs it holds (sent when the list changed); null: it takes no packs. */
  | { readonly type: 'packs-held'; readonly at: number; readonly host: string; readonly packs: readonly string[] | null }
  /** From the pool: `down` (a connection lost), `backoff` (refused until `until`), `up` (connected). */
  | {
      readonly type: 'host-state';
      readonly at: number;
      readonly host: string;
      readonly state: 'up' | 'down' | 'backoff';
      readonly until: number | null;
      readonly error: string | null;
    };

export type FeedListener = (event: FeedEvent) => void;
