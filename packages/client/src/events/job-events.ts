import type { Analysis, Departure } from '@sshcc/core';
import type { Capacity, JobResult, JobStage } from '@sshcc/protocol';
import type { CompileAnswer, CompileRequest } from '../wire/messages';
import type { PoolEvent } from '../pool';
import type { CompileGrant } from '../queue';
import type { AttemptOutcome, PackPush } from './feed-event';

/**
 * What the compile service tells the event feed about one job. Each call stamps the time; nothing
 * here may throw into a compile or make it wait.
 */
export interface JobRecorder {
  /** The analysis is known: the output becomes the job's label. */
  analysed(analysis: Analysis): void;
  /** Wraps the wait for a preprocessor slot; the release it returns marks the end of preprocessing. */
  cppSlot(granted: Promise<() => void>): Promise<() => void>;
  /** Wraps the wait for a compile slot; the grant's release marks the end of the attempt. */
  compileSlot(granted: Promise<CompileGrant>): Promise<CompileGrant>;
  /** Given to runJob as `onStage`. */
  stage(stage: JobStage): void;
  /** A remote attempt's answer and what it came to ('compiled', or how it left the remote path); its figures travel with the slot's release. */
  remoteDone(result: JobResult, outcome: AttemptOutcome): void;
  /** A remote attempt that ended without an answer (connect, protocol, …; 'cancelled' when the job was). */
  remoteFailed(outcome: AttemptOutcome): void;
  /**
   * The agent's result cache lookup: 'hit' (the job is answered from it; count it with
   * countLocal('agent-cache')), 'direct-hit' (answered before any cpp run: countLocal('agent-cache-direct'))
   * or 'miss' (it goes on to a volunteer, which may still hit).
   */
  cacheLookup(outcome: 'hit' | 'direct-hit' | 'miss'): void;
  /** The job's source goes to a volunteer while the preprocessor still writes it. */
  streamed(): void;
  /** Sampled verification compiled the volunteer's job here too: its objects were the same (`match`) or not. */
  verified(host: string, match: boolean): void;
  /** Where the job went, as the stats count it (the reason is a stats key). */
  countRemote(host: string, failedOver: boolean): void;
  countLocal(reason: Departure, failedOver: boolean): void;
  /** The answer went back (or, with `error`, the job ended without one). */
  end(answer: CompileAnswer | null, error?: 'cancelled' | 'error'): void;
}

/** The hosts and local slots of one routing configuration. */
export interface HostsConfig {
  readonly hosts: readonly { readonly id: string; readonly slots: number; readonly local?: boolean }[];
  readonly cppSlots: number;
  readonly localSlots: number;
}

/** The feed as the agent's job code sees it. */
export interface JobEvents {
  begin(request: CompileRequest): JobRecorder;
  hosts(config: HostsConfig): void;
  pool(event: PoolEvent): void;
  pack(push: PackPush): void;
  /** The packs a host's server holds, as its hello lists them (null: it takes none). */
  packsHeld(host: string, packs: readonly string[] | null): void;
  /** A volunteer told its slots (its hello, a job's result). */
  capacity(host: string, capacity: Capacity): void;
}

const NO_RECORDER: JobRecorder = {
  analysed: () => undefined,
  cppSlot: (granted) => granted,
  compileSlot: (granted) => granted,
  stage: () => undefined,
  remoteDone: () => undefined,
  remoteFailed: () => undefined,
  cacheLookup: () => undefined,
  streamed: () => undefined,
  verified: () => undefined,
  countRemote: () => undefined,
  countLocal: () => undefined,
  end: () => undefined,
};

/** For a compile service nobody watches. */
export const NO_JOB_EVENTS: JobEvents = {
  begin: () => NO_RECORDER,
  hosts: () => undefined,
  pool: () => undefined,
  pack: () => undefined,
  packsHeld: () => undefined,
  capacity: () => undefined,
};
