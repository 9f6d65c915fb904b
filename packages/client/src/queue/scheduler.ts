// The agent's one queue. Every compile job waits here and is handed the first free slot on the best
// host; local preprocessing has its own slots. Waiters are promises woken by the release that frees
// their slot, so thousands of `make -j` clients cost no timers and no polling. The placement rule
// itself is core's `placeCompile`; this file only keeps the counters and wakes waiters.
import {
  SshccError,
  machineLoad,
  placeCompile,
  updateSpeed,
  type CompileNeeds,
  type HostState,
  type JobTiming,
  type Placement,
  type Rng,
  type SlotCount,
  type SpeedEstimate,
} from '@sshcc/core';
import type { SchedulerEvent, SchedulerListener, SchedulerSnapshot, SlotKind } from './scheduler-events';
import { WaitQueue } from './wait-queue';

export interface SchedulerHost {
  readonly id: string;
  /** Concurrent compiles; for a remote host, one per worker channel the pool keeps open to it. */
  readonly slots: number;
  /** The `localhost/N` entry: its jobs compile on this machine, competing in the queue like a host. */
  readonly local?: boolean;
}

export interface SchedulerOptions {
  /** `--localslots_cpp`: concurrent local preprocessors. */
  readonly localCppSlots: number;
  /**
   * `--localslots`: concurrent compiles that must run here (local-only jobs, fallbacks). They share
   * this machine's pool with the `localhost/N` entry: at most max(this, N) compilers run here.
   */
  readonly localCompileSlots: number;
  readonly hosts: readonly SchedulerHost[];
  /** Given for `--randomize`: shuffles hosts that tie on load and speed. */
  readonly rng?: Rng;
}

/** Pass the job's timing to `release` to teach the scheduler how fast the host is. */
export type CompileGrant =
  | { readonly kind: 'remote'; readonly hostId: string; release(timing?: JobTiming): void }
  | { readonly kind: 'local'; readonly hostId: string | null; release(timing?: JobTiming): void };

interface HostRecord {
  readonly id: string;
  readonly slots: number;
  readonly local: boolean;
  running: number;
  state: HostState;
  speed: SpeedEstimate | undefined;
}

export class Scheduler {
  private readonly cppSlots: number;
  private readonly localSlots: number;
  private readonly hosts: HostRecord[];
  private readonly rng: Rng | undefined;
  private cppRunning = 0;
  /** Compiles holding a `--localslots` slot; the localhost entry counts its own on its record. */
  private localRunning = 0;
  private readonly cppQueue = new WaitQueue<null, () => void>();
  private readonly compileQueue = new WaitQueue<CompileNeeds, CompileGrant>();
  private readonly listeners = new Set<SchedulerListener>();

  constructor(options: SchedulerOptions) {
    this.cppSlots = slotCount('--localslots_cpp', options.localCppSlots);
    this.localSlots = slotCount('--localslots', options.localCompileSlots);
    const seen = new Set<string>();
    this.hosts = options.hosts.map((h) => {
      if (seen.has(h.id)) throw new SshccError('config', `host "${h.id}" is listed twice`);
      seen.add(h.id);
      const slots = slotCount(`host "${h.id}"`, h.slots);
      return { id: h.id, slots, local: h.local === true, running: 0, state: 'up', speed: undefined };
    });
    this.rng = options.rng;
  }

  /** Waits for a local preprocessor slot; resolves to its release function. Rejects if `signal` aborts first. */
  acquireCpp(signal?: AbortSignal): Promise<() => void> {
    const granted = this.cppQueue.wait(null, signal, () => this.emit({ type: 'cancelled', queue: 'cpp' }));
    this.emit({ type: 'queued', queue: 'cpp' });
    this.serveCpp();
    return granted;
  }

  /**
   * Waits for a compile slot: a remote host's, or this machine's (see core `placeCompile` for the
   * rule). `job.avoid` is read at every placement, so hosts added to it while waiting are skipped.
   * Hold no cpp slot while waiting here: preprocessing must never wait on compiles.
   */
  acquireCompile(job: CompileNeeds, signal?: AbortSignal): Promise<CompileGrant> {
    const granted = this.compileQueue.wait(job, signal, () => this.emit({ type: 'cancelled', queue: 'compile' }));
    this.emit({ type: 'queued', queue: 'compile' });
    this.serveCompile();
    return granted;
  }

  /**
   * `backoff`/`down` stop new work going to the host; jobs already there keep their slots until the
   * agent releases them. Any change re-places the waiters: a host coming up takes them, a host going
   * away may send them to the local fallback.
   */
  setHostState(hostId: string, state: HostState): void {
    const host = this.host(hostId);
    if (host.state === state) return;
    host.state = state;
    this.emit({ type: 'host-state', hostId, state });
    this.serveCompile();
  }

  recordTiming(hostId: string, ms: number, bytes?: number): void {
    const host = this.host(hostId);
    host.speed = updateSpeed(host.speed, { ms, bytes });
  }

  snapshot(): SchedulerSnapshot {
    return {
      cpp: { slots: this.cppSlots, running: this.cppRunning, waiting: this.cppQueue.size },
      local: { slots: this.localSlots, running: this.localRunning },
      machine: machineLoad(this.hosts, this.localSlotCount()),
      compile: { waiting: this.compileQueue.size },
      hosts: this.hosts.map((h) => ({ ...h })),
    };
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: SchedulerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private serveCpp(): void {
    const free = (): boolean => this.cppRunning < this.cppSlots;
    this.cppQueue.serve(() => (free() ? this.grantCpp() : undefined), free);
  }

  private grantCpp(): () => void {
    this.cppRunning++;
    this.emit({ type: 'granted', slot: 'cpp', hostId: null });
    return once(() => {
      this.cppRunning--;
      this.emit({ type: 'released', slot: 'cpp', hostId: null });
      this.serveCpp();
    });
  }

  private serveCompile(): void {
    this.compileQueue.serve(
      (job) => {
        const placement = placeCompile(this.hosts, this.localSlotCount(), job, this.rng);
        return placement.kind === 'wait' ? undefined : this.grantCompile(placement);
      },
      () => this.anyCompileSlotFree(),
    );
  }

  private grantCompile(placement: Exclude<Placement, { kind: 'wait' }>): CompileGrant {
    const host = placement.hostId === null ? undefined : this.host(placement.hostId);
    const slot: SlotKind = placement.kind;
    // A job the localhost entry won counts on that entry; only fallbacks take a --localslots slot.
    if (host !== undefined) host.running++;
    else this.localRunning++;
    this.emit({ type: 'granted', slot, hostId: placement.hostId });
    const release = once((timing?: JobTiming) => {
      if (host !== undefined) {
        host.running--;
        if (timing !== undefined) host.speed = updateSpeed(host.speed, timing);
      } else {
        this.localRunning--;
      }
      this.emit({ type: 'released', slot, hostId: placement.hostId });
      this.serveCompile();
    });
    return placement.kind === 'remote'
      ? { kind: 'remote', hostId: placement.hostId, release }
      : { kind: 'local', hostId: placement.hostId, release };
  }

  // Lets `serve` stop early instead of asking every waiter when nothing at all is free.
  private anyCompileSlotFree(): boolean {
    const machine = machineLoad(this.hosts, this.localSlotCount());
    if (machine.running < machine.capacity) return true;
    return this.hosts.some((h) => !h.local && h.state === 'up' && h.running < h.slots);
  }

  private localSlotCount(): SlotCount {
    return { slots: this.localSlots, running: this.localRunning };
  }

  private host(hostId: string): HostRecord {
    const host = this.hosts.find((h) => h.id === hostId);
    if (host === undefined) throw new SshccError('internal', `scheduler: unknown host "${hostId}"`);
    return host;
  }

  private emit(event: SchedulerEvent): void {
    for (const listener of this.listeners) {
      // A monitor's bug must never stall compiles: the queue's counters are already updated.
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}

function slotCount(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SshccError('config', `${what} must be a whole number of slots of at least 1, not ${value}`);
  }
  return value;
}

/** A release may be called twice by a careless caller (finally + error path); only the first counts. */
function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args: A) => {
    if (done) return;
    done = true;
    fn(...args);
  };
}
