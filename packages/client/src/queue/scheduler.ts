// The agent's one queue. Every compile job waits here and is handed the first free slot on the best
// host; local preprocessing has its own slots. Waiters are promises woken by the release that frees
// their slot, so thousands of `make -j` clients cost no timers and no polling. The placement rule
// itself is core's `placeCompile`; this file keeps the local counters, counts host slots in the
// HostTable, and wakes waiters.
import {
  SshccError,
  machineLoad,
  pickDuplicate,
  placeCompile,
  type CompileNeeds,
  type HostState,
  type JobTiming,
  type Placement,
  type Rng,
  type RunningJob,
  type SlotCount,
} from '@sshcc/core';
import { HostTable, wholeSlots, type HostSlots } from '../hosts';
import type { SchedulerEvent, SchedulerListener, SchedulerSnapshot, SlotKind } from './scheduler-events';
import { WaitQueue } from './wait-queue';

export interface SchedulerOptions {
  /** `--localslots_cpp`: concurrent local preprocessors. */
  readonly localCppSlots: number;
  /**
   * `--localslots`: concurrent compiles that must run here (local-only jobs, fallbacks). They share
   * this machine's pool with the `localhost/N` entry: at most max(this, N) compilers run here.
   */
  readonly localCompileSlots: number;
  /**
   * The hosts: a list (the scheduler keeps them in a HostTable of its own), or the agent's HostTable,
   * shared with the pool, whose backoffs then reach the queue without being relayed.
   */
  readonly hosts: readonly HostSlots[] | HostTable;
  /** Given for `--randomize`: shuffles hosts that tie on load and speed. */
  readonly rng?: Rng;
  /** The clock of straggler duplication (ms). Default Date.now. */
  readonly now?: () => number;
}

/** Pass the job's timing to `release` to teach the scheduler how fast the host is. */
export type CompileGrant = RemoteGrant | { readonly kind: 'local'; readonly hostId: string | null; release(timing?: JobTiming): void };
export interface RemoteGrant {
  readonly kind: 'remote';
  readonly hostId: string;
  release(timing?: JobTiming): void;
}

/** A remote job in flight offered for a second run (`offerDuplicate`). */
interface Straggler {
  readonly job: RunningJob;
  readonly onGrant: (grant: RemoteGrant) => void;
}

export class Scheduler {
  /** Where jobs may go, their slots and speed: the queue's reads and writes of per-host state. */
  readonly hosts: HostTable;
  private readonly cppSlots: number;
  private readonly localSlots: number;
  private readonly rng: Rng | undefined;
  private readonly now: () => number;
  private cppRunning = 0;
  /** Compiles holding a `--localslots` slot; the localhost entry counts its own in the host table. */
  private localRunning = 0;
  private readonly cppQueue = new WaitQueue<null, () => void>();
  private readonly compileQueue = new WaitQueue<CompileNeeds, CompileGrant>();
  private readonly listeners = new Set<SchedulerListener>();
  private readonly stragglers = new Map<number, Straggler>();
  private lastStragglerId = 0;

  constructor(options: SchedulerOptions) {
    this.cppSlots = wholeSlots('--localslots_cpp', options.localCppSlots);
    this.localSlots = wholeSlots('--localslots', options.localCompileSlots);
    this.hosts = options.hosts instanceof HostTable ? options.hosts : new HostTable(options.hosts);
    this.rng = options.rng;
    this.now = options.now ?? Date.now;
    // Any change re-places the waiters: a host coming up takes them, one going away may send them to the local fallback.
    this.hosts.subscribe((hostId, state) => {
      this.emit({ type: 'host-state', hostId, state });
      this.serveCompile();
    });
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
   * agent releases them; `up` lifts it (a backoff of the pool's own still holds until it ends).
   */
  /**
   * Offers a remote job in flight (its source whole) for a second run: once no job waits, a clearly
   * faster host with a free slot may be granted to it (core's `pickDuplicate`), once. `onGrant` gets that
   * slot and must release it. Returns the withdrawal, for when the job has its answer.
   */
  offerDuplicate(job: Omit<RunningJob, 'id'>, onGrant: (grant: RemoteGrant) => void): () => void {
    const id = ++this.lastStragglerId;
    this.stragglers.set(id, { job: { ...job, id }, onGrant });
    this.serveDuplicates();
    return () => {
      this.stragglers.delete(id);
    };
  }

  setHostState(hostId: string, state: HostState): void {
    this.known(hostId);
    this.hosts.setQueueState(hostId, state);
  }

  recordTiming(hostId: string, ms: number, bytes?: number): void {
    this.known(hostId);
    this.hosts.recordTiming(hostId, { ms, bytes });
  }

  snapshot(): SchedulerSnapshot {
    return {
      cpp: { slots: this.cppSlots, running: this.cppRunning, waiting: this.cppQueue.size },
      local: { slots: this.localSlots, running: this.localRunning },
      machine: machineLoad(this.hosts.loads(), this.localSlotCount()),
      compile: { waiting: this.compileQueue.size },
      hosts: this.hosts.list().map((h) => ({ id: h.id, slots: h.slots, local: h.local, running: h.running, state: h.queueState, speed: h.speed })),
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
      (job, ahead) => {
        const placement = placeCompile(this.hosts.loads(), this.localSlotCount(), job, { rng: this.rng, ahead });
        return placement.kind === 'wait' ? undefined : this.grantCompile(placement);
      },
      () => this.anyCompileSlotFree(),
    );
    this.serveDuplicates();
  }

  /** Only a slot no waiting job wants goes to a second run. */
  private serveDuplicates(): void {
    while (this.stragglers.size > 0 && this.compileQueue.size === 0) {
      const pick = pickDuplicate([...this.stragglers.values()].map((s) => s.job), this.hosts.loads(), this.now());
      if (pick === null) return;
      const straggler = this.stragglers.get(pick.jobId)!;
      this.stragglers.delete(pick.jobId);
      straggler.onGrant(this.grantCompile({ kind: 'remote', hostId: pick.hostId }) as RemoteGrant);
    }
  }

  private grantCompile(placement: Exclude<Placement, { kind: 'wait' }>): CompileGrant {
    const { hostId } = placement;
    const slot: SlotKind = placement.kind;
    // A job the localhost entry won counts on that entry; only fallbacks take a --localslots slot.
    if (hostId !== null) this.hosts.takeSlot(hostId);
    else this.localRunning++;
    this.emit({ type: 'granted', slot, hostId });
    const release = once((timing?: JobTiming) => {
      if (hostId !== null) this.hosts.releaseSlot(hostId, timing);
      else this.localRunning--;
      this.emit({ type: 'released', slot, hostId });
      this.serveCompile();
    });
    return placement.kind === 'remote' ? { kind: 'remote', hostId: placement.hostId, release } : { kind: 'local', hostId: placement.hostId, release };
  }

  // Lets `serve` stop early instead of asking every waiter when nothing at all is free.
  private anyCompileSlotFree(): boolean {
    const hosts = this.hosts.loads();
    const machine = machineLoad(hosts, this.localSlotCount());
    if (machine.running < machine.capacity) return true;
    return hosts.some((h) => h.local !== true && h.state === 'up' && h.running < h.slots);
  }

  private localSlotCount(): SlotCount {
    return { slots: this.localSlots, running: this.localRunning };
  }

  private known(hostId: string): void {
    if (!this.hosts.has(hostId)) throw new SshccError('internal', `scheduler: unknown host "${hostId}"`);
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

/** A release may be called twice by a careless caller (finally + error path); only the first counts. */
function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args: A) => {
    if (done) return;
    done = true;
    fn(...args);
  };
}
