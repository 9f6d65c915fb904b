// What a job passes before its compiler runs: one of the account's slots (the coordinator, fair between
// clients), then, where the admin set one, one of the machine's slots across accounts (shared-slots.ts).
// A cache hit or a refusal takes none: only a compiler costs a slot.
import { performance } from 'node:perf_hooks';
import { MAX_SLOT_WAIT_MS, type Capacity } from '@sshcc/protocol';
import type { SlotCountsMessage } from './coordinator-messages';
import { machineLoadReader } from './machine-load';
import { acquireSharedSlot } from './shared-slots';
import type { SharedSlotsConfig } from './system-slots-config';
import type { SlotLink } from './slot-link';

export type SlotGrant =
  | { readonly granted: true; readonly waitMs: number; readonly capacity: Capacity; readonly release: () => Capacity }
  | { readonly granted: false; readonly waitMs: number; readonly why: string; readonly capacity: Capacity };

export interface SlotGate {
  acquire(client: string, whenBusy: 'wait' | 'decline', signal: AbortSignal): Promise<SlotGrant>;
  /** The slots as last heard of (for a reply that took none); null before the first answer. */
  last(): Capacity | null;
  /** Asks the coordinator now (for the hello). */
  status(): Promise<Capacity>;
  close(): void;
}

export function slotGate(link: SlotLink, shared: SharedSlotsConfig | null): SlotGate {
  let last: Capacity | null = null;
  const machineLoad = machineLoadReader();
  const note = (counts: SlotCountsMessage): Capacity => (last = { cap: counts.cap, busy: counts.busy, waiting: counts.waiting, ...machineLoad(performance.now()) });
  return {
    async acquire(client, whenBusy, signal) {
      const started = performance.now();
      const { id, answer } = await link.acquire(client, whenBusy === 'wait', signal);
      const capacity = note(answer);
      // Answered at once: no time waited (the round trip is the cost of the gate, not of other clients).
      const waited = (): number => (answer.queued === true || shared !== null ? performance.now() - started : 0);
      if (answer.answer !== 'granted') {
        const why = answer.cap === 0 ? 'the volunteer is draining (slots 0)' : `all ${answer.cap} of the volunteer's slots are taken`;
        return { granted: false, waitMs: waited(), why, capacity };
      }
      // Not waited for: the coordinator reads this socket in order, so this server's next ask comes after it,
      // and the job's answer need not wait a round trip. Its counts are the grant's, less this slot.
      const release = (): Capacity => {
        void link.release(id).then(note, () => undefined);
        return note({ ...answer, busy: Math.max(0, answer.busy - 1) });
      };
      if (shared !== null) {
        const left = Math.max(0, MAX_SLOT_WAIT_MS - (performance.now() - started));
        const machine = await acquireSharedSlot(shared.dir, shared.cap, whenBusy === 'wait' ? left : 0, signal).catch((err: unknown) => {
          release();
          throw err;
        });
        if (!machine.granted) return { granted: false, waitMs: performance.now() - started, why: machine.why, capacity: release() };
        return {
          granted: true,
          waitMs: performance.now() - started,
          capacity,
          release: () => {
            machine.release();
            return release();
          },
        };
      }
      return { granted: true, waitMs: waited(), capacity, release };
    },
    last: () => last,
    status: async () => note(await link.status()),
    close: () => link.close(),
  };
}
