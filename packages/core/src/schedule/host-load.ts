// What the scheduling policy is given: a picture of every compile host at one moment. The agent's
// queue owns the live counters; the policy only reads this snapshot, so it stays pure and testable.
import type { SpeedEstimate } from './speed';
import type { VolunteerCapacity } from './volunteer-capacity';

/** `backoff` and `down` both mean "send nothing new": the pool sets them and probes the way back to `up`. */
export type HostState = 'up' | 'backoff' | 'down';

export interface HostLoad {
  readonly id: string;
  /** Concurrent compiles this host accepts (the `/N` of its host spec). */
  readonly slots: number;
  /** Jobs holding one of its slots now (running, or handed over and waiting for a channel). */
  readonly running: number;
  readonly state: HostState;
  /** Undefined until a compile there has been timed. */
  readonly speed?: SpeedEstimate | undefined;
  /** The `localhost/N` entry: its jobs compile on this machine (see `machineLoad` for the shared cap). */
  readonly local?: boolean;
  /** What the volunteer said of its slots and load with its last answer; undefined when it never did. */
  readonly capacity?: VolunteerCapacity | undefined;
}

/** A plain slot pool: `--localslots_cpp`, or `--localslots` (jobs that must compile on this machine). */
export interface SlotCount {
  readonly slots: number;
  readonly running: number;
}

/** What the policy needs to know about one compile job. */
export interface CompileNeeds {
  /** Host ids this job must not use: ones that failed it, ones lacking or mismatching its compiler. */
  readonly avoid: ReadonlySet<string>;
  /** The job may only compile on this machine (e.g. analysis said local, or every remote try failed). */
  readonly localOnly?: boolean;
}

/** A uniform random number in [0, 1); `--randomize` passes one in to shuffle ties. */
export type Rng = () => number;
