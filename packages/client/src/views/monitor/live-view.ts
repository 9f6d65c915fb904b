import type { Capacity } from '@sshcc/protocol';
import { applyJobEvent, isJobEvent, jobPhase, newJobRecord, type FeedEvent, type JobRecord, type PackPush } from '../../events';

export type HostStateName = 'unknown' | 'up' | 'down' | 'backoff';

export interface HostView {
  readonly id: string;
  readonly slots: number;
  /** The `localhost/N` entry. */
  readonly local: boolean;
  readonly state: HostStateName;
  /** While backed off: when the host is offered again (epoch ms). */
  readonly until: number | null;
  readonly error: string | null;
  /** The last toolchain push to it, in a few words ("pushing 3f2a9c…", "3f2a9c… in place"); absent: none. */
  readonly pack?: string | null;
  /** The volunteer's own slots as it last told them: every client's jobs, not only this agent's. */
  readonly capacity?: Capacity | null;
}

/** What the agent sends a new monitor first; plain JSON. */
export interface LiveSnapshot {
  readonly type: 'snapshot';
  /** The agent's clock when it was taken (epoch ms). */
  readonly at: number;
  readonly jobs: readonly JobRecord[];
  readonly hosts: readonly HostView[];
  readonly cppSlots: number;
  readonly localSlots: number;
  /** Jobs finished since the agent started. */
  readonly finished: number;
}

/** A batch of feed events, after the snapshot. */
export interface LiveUpdate {
  readonly type: 'events';
  readonly events: readonly FeedEvent[];
}

export type FeedMessage = LiveSnapshot | LiveUpdate;

/** Slots busy and in total, per host row. */
export interface SlotUse {
  readonly busy: number;
  readonly total: number;
}

/**
 * What is happening now: the running jobs and the hosts, folded from the feed. The agent keeps one
 * (and answers new monitors with its snapshot); each `sshcc mon` keeps its own copy by applying the
 * same events, so it never polls.
 */
export class LiveView {
  private readonly jobs = new Map<number, JobRecord>();
  private readonly hostViews = new Map<string, HostView>();
  private cppSlots = 0;
  private localSlots = 0;
  private finishedCount = 0;

  static from(snapshot: LiveSnapshot): LiveView {
    const view = new LiveView();
    for (const job of snapshot.jobs) view.jobs.set(job.id, structuredClone(job));
    for (const host of snapshot.hosts) view.hostViews.set(host.id, host);
    view.cppSlots = snapshot.cppSlots;
    view.localSlots = snapshot.localSlots;
    view.finishedCount = snapshot.finished;
    return view;
  }

  /** Folds one event in; returns the job's record when the event finished it. */
  apply(event: FeedEvent): JobRecord | null {
    if (isJobEvent(event)) {
      if (event.type === 'job-start') {
        this.jobs.set(event.job, newJobRecord(event));
        return null;
      }
      const record = this.jobs.get(event.job);
      if (record === undefined) return null;
      applyJobEvent(record, event);
      if (event.type !== 'job-end') return null;
      this.jobs.delete(event.job);
      this.finishedCount++;
      return record;
    }
    if (event.type === 'hosts') {
      for (const host of event.hosts) {
        const old = this.hostViews.get(host.id);
        this.hostViews.set(host.id, {
          id: host.id,
          slots: host.slots,
          local: host.local,
          state: old?.state ?? (host.local ? 'up' : 'unknown'),
          until: old?.until ?? null,
          error: old?.error ?? null,
          pack: old?.pack ?? null,
          capacity: old?.capacity ?? null,
        });
      }
      this.cppSlots = Math.max(this.cppSlots, event.cppSlots);
      this.localSlots = Math.max(this.localSlots, event.localSlots);
      return null;
    }
    // The monitor shows pushes as they go; which packs a host holds is for `sshcc stats` and `ping`.
    if (event.type === 'packs-held') return null;
    const old = this.hostViews.get(event.host);
    const base = { id: event.host, slots: old?.slots ?? 0, local: old?.local ?? false, state: old?.state ?? 'unknown', until: old?.until ?? null, error: old?.error ?? null, pack: old?.pack ?? null, capacity: old?.capacity ?? null };
    if (event.type === 'pack') {
      this.hostViews.set(event.host, { ...base, pack: packNote(event) });
      return null;
    }
    if (event.type === 'capacity') {
      this.hostViews.set(event.host, { ...base, capacity: event.capacity });
      return null;
    }
    this.hostViews.set(event.host, { ...base, state: event.state, until: event.until, error: event.error });
    return null;
  }

  snapshot(at: number): LiveSnapshot {
    return {
      type: 'snapshot',
      at,
      jobs: [...this.jobs.values()].map((job) => structuredClone(job)),
      hosts: [...this.hostViews.values()],
      cppSlots: this.cppSlots,
      localSlots: this.localSlots,
      finished: this.finishedCount,
    };
  }

  /** Running jobs, oldest first. */
  activeJobs(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => a.start - b.start);
  }

  hosts(): HostView[] {
    return [...this.hostViews.values()];
  }

  get finished(): number {
    return this.finishedCount;
  }

  /** Jobs waiting (for a cpp or compile slot) and jobs at work. */
  counts(): { running: number; queued: number } {
    let queued = 0;
    for (const job of this.jobs.values()) if (jobPhase(job) === 'queued') queued++;
    return { running: this.jobs.size - queued, queued };
  }

  /** Busy and total slots: per host id, and this machine's preprocessor and `--localslots` slots. */
  slotUse(): { hosts: Map<string, SlotUse>; cpp: SlotUse; local: SlotUse } {
    const busy = new Map<string | null, number>();
    let cpp = 0;
    for (const job of this.jobs.values()) {
      if (jobPhase(job) === 'preprocess') cpp++;
      const attempt = job.attempts[job.attempts.length - 1];
      if (attempt !== undefined && attempt.granted !== null && attempt.released === null) busy.set(attempt.host, (busy.get(attempt.host) ?? 0) + 1);
    }
    const hosts = new Map<string, SlotUse>();
    for (const host of this.hostViews.values()) hosts.set(host.id, { busy: busy.get(host.id) ?? 0, total: host.slots });
    return { hosts, cpp: { busy: cpp, total: this.cppSlots }, local: { busy: busy.get(null) ?? 0, total: this.localSlots } };
  }
}

function packNote(push: PackPush): string {
  const id = push.pack === '' ? 'pack' : `${push.pack.slice(0, 8)}…`;
  if (push.state === 'pushing') return `pushing ${id}`;
  if (push.state === 'held') return `${id} in place (${((push.wireBytes ?? 0) / 1024 / 1024).toFixed(1)} MiB sent)`;
  return `${id} not pushed: ${push.message}`;
}
