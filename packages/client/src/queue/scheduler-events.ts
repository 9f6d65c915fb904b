// What a monitor (`sshcc mon`) sees of the queue: a snapshot on demand and an event per change.
import type { HostState, MachineLoad, SpeedEstimate } from '@sshcc/core';

/** `local` is a local compile slot (fallback, local-only, or won by the `localhost/N` entry). */
export type SlotKind = 'cpp' | 'local' | 'remote';
export type QueueName = 'cpp' | 'compile';

export type SchedulerEvent =
  | { readonly type: 'queued'; readonly queue: QueueName }
  | { readonly type: 'cancelled'; readonly queue: QueueName }
  | { readonly type: 'granted'; readonly slot: SlotKind; readonly hostId: string | null }
  | { readonly type: 'released'; readonly slot: SlotKind; readonly hostId: string | null }
  | { readonly type: 'host-state'; readonly hostId: string; readonly state: HostState };

export type SchedulerListener = (event: SchedulerEvent) => void;

export interface HostSnapshot {
  readonly id: string;
  readonly slots: number;
  readonly running: number;
  readonly state: HostState;
  readonly local: boolean;
  readonly speed: SpeedEstimate | undefined;
}

export interface SchedulerSnapshot {
  readonly cpp: { readonly slots: number; readonly running: number; readonly waiting: number };
  /** `--localslots`: local-only and fallback compiles. */
  readonly local: { readonly slots: number; readonly running: number };
  /** Every compiler on this machine, `--localslots` jobs plus the `localhost/N` entry's. */
  readonly machine: MachineLoad;
  readonly compile: { readonly waiting: number };
  readonly hosts: readonly HostSnapshot[];
}
