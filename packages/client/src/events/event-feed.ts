import { SshccError } from '@sshcc/core';
import type { Capacity } from '@sshcc/protocol';
import type { PoolEvent } from '../pool';
import type { CompileRequest } from '../wire/messages';
import type { FeedEvent, FeedListener, PackPush } from './feed-event';
import { FeedJobRecorder } from './feed-job-recorder';
import type { HostsConfig, JobEvents, JobRecorder } from './job-events';
import { SlotTable } from './slot-table';

/** Milliseconds since the epoch with sub-millisecond precision, monotonic within the process. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The agent's one event feed. The compile service and the router report into it (JobEvents); stats,
 * the recent-jobs ring, the live view and every `sshcc mon` subscribe. Emitting is synchronous and
 * cheap: listeners fold the event into memory; nothing here touches the disk.
 */
export class EventFeed implements JobEvents {
  private readonly listeners = new Set<FeedListener>();
  private nextJob = 1;
  readonly slots = new SlotTable();

  constructor(readonly now: () => number = preciseNow) {}

  begin(request: CompileRequest): JobRecorder {
    return new FeedJobRecorder(this, this.nextJob++, request);
  }

  hosts(config: HostsConfig): void {
    this.emit({
      type: 'hosts',
      at: this.now(),
      hosts: config.hosts.map((h) => ({ id: h.id, slots: h.slots, local: h.local === true })),
      cppSlots: config.cppSlots,
      localSlots: config.localSlots,
    });
  }

  pool(event: PoolEvent): void {
    const at = this.now();
    if (event.type === 'host-up') this.emit({ type: 'host-state', at, host: event.hostId, state: 'up', until: null, error: null });
    if (event.type === 'host-down') this.emit({ type: 'host-state', at, host: event.hostId, state: 'down', until: null, error: oneLine(event.error) });
    if (event.type === 'host-backoff') {
      this.emit({ type: 'host-state', at, host: event.hostId, state: 'backoff', until: at + event.delayMs, error: oneLine(event.error) });
    }
  }

  pack(push: PackPush): void {
    this.emit({ type: 'pack', at: this.now(), ...push });
  }

  packsHeld(host: string, packs: readonly string[] | null): void {
    this.emit({ type: 'packs-held', at: this.now(), host, packs });
  }

  capacity(host: string, capacity: Capacity): void {
    this.emit({ type: 'capacity', at: this.now(), host, capacity });
  }

  emit(event: FeedEvent): void {
    for (const listener of this.listeners) {
      // A monitor's or a stats bug must never break a compile: such a listener is dropped.
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  /** Listeners now: the agent's own folds plus one per connected monitor. */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function oneLine(error: SshccError): string {
  return error.message.replace(/\s*\n\s*/g, ' ');
}
