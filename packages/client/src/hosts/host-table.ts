import { currentSpeed, effectiveSlots, freshCapacity, SshccError, UNTRIED, updateSpeed, type HostLoad, type HostState, type JobTiming, type ReleaseTrust, type VolunteerCapacity } from '@sshcc/core';
import type { CompilerFingerprint } from '@sshcc/protocol';
import { backoffDelayMs, type BackoffPolicy } from './backoff-policy';
import type { HostEntry, HostHealth, HostSlots, ServerMode } from './host-entry';

// The one owner of per-host state. The pool writes health and backoff as it connects, and where it got
// and how the server started; the queue counts slots and speed, and may hold a host out of placement;
// the compile loop marks compilers a host cannot run; `sshcc ping` and the pool's status read it all.
// A listener hears each change of a host's queue state, so a queue sharing the table with a pool
// re-places its waiters the moment the pool backs a host off or its backoff ends.

type QueueHold = Exclude<HostState, 'up'>;

interface Entry extends HostEntry {
  health: HostHealth;
  queueState: HostState;
  /** What the queue was told (setQueueState); it wins over the pool's health until `up` lifts it. */
  queueHold: QueueHold | undefined;
  failures: number;
  retryAt: number | undefined;
  lastError: SshccError | undefined;
  running: number;
  speed: HostEntry['speed'];
  /** When `speed` last learnt from a job, on the table's clock. */
  speedAt: number;
  destination: string | undefined;
  serverMode: ServerMode | undefined;
  readonly unfitCompilers: Set<string>;
  readonly packs: Set<string>;
  /** Per client compiler and the other build of its release that answers for it here: the evidence so far. */
  readonly releaseTrust: Map<string, ReleaseTrust>;
  /** Fires when the backoff ends, to tell listeners (nothing else would look until the next acquire). */
  backoffTimer: NodeJS.Timeout | undefined;
  capacity: HostEntry['capacity'];
}

export type HostTableListener = (hostId: string, queueState: HostState) => void;
export type CapacityListener = (hostId: string, capacity: VolunteerCapacity) => void;

export interface HostTableOptions {
  /** The clock backoffs are measured on (ms). Default Date.now. */
  readonly now?: () => number;
}

export class HostTable {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<HostTableListener>();
  private readonly capacityListeners = new Set<CapacityListener>();
  private readonly now: () => number;

  constructor(hosts: readonly HostSlots[], options: HostTableOptions = {}) {
    this.now = options.now ?? Date.now;
    for (const host of hosts) {
      if (this.entries.has(host.id)) throw new SshccError('config', `host "${host.id}" is listed twice`);
      this.entries.set(host.id, newEntry(host, wholeSlots(`host "${host.id}"`, host.slots)));
    }
  }

  has(hostId: string): boolean {
    return this.entries.has(hostId);
  }

  get(hostId: string): HostEntry {
    return this.entry(hostId);
  }

  /** Every host, in list order. */
  list(): HostEntry[] {
    return [...this.entries.values()];
  }

  // The pool: health, backoff, and what its connections learnt.

  /** The host's health after ending a backoff whose time is up (the host is then `unknown`: probe it). */
  healthNow(hostId: string): HostHealth {
    const e = this.entry(hostId);
    if (e.health === 'backoff' && e.retryAt !== undefined && this.now() >= e.retryAt) this.setHealth(e, 'unknown');
    return e.health;
  }

  /** The first connect + handshake is under way: other jobs for the host wait for it. */
  startProbe(hostId: string): void {
    this.setHealth(this.entry(hostId), 'probing');
  }

  /** A worker started there: the host is up and its failures are forgiven. True if it was not up before. */
  markUp(hostId: string): boolean {
    const e = this.entry(hostId);
    if (e.health === 'up') return false;
    e.failures = 0;
    this.setHealth(e, 'up');
    return true;
  }

  /** Counts a failure and refuses the host for the policy's wait after that many; returns the wait (ms). */
  backOff(hostId: string, error: SshccError, policy: BackoffPolicy): number {
    const e = this.entry(hostId);
    e.failures++;
    const delayMs = backoffDelayMs(e.failures, policy);
    e.retryAt = this.now() + delayMs;
    e.lastError = error;
    this.setHealth(e, 'backoff');
    this.wakeAfter(e, delayMs);
    return delayMs;
  }

  /**
   * Ends the backoff when its time is up. A timer may fire a few ms before the table's clock reaches
   * retryAt (Node times it from its loop's cached clock); it then waits out the rest, or the host would
   * stay backed off with nothing left to wake it.
   */
  private wakeAfter(e: Entry, delayMs: number): void {
    clearTimeout(e.backoffTimer);
    e.backoffTimer = setTimeout(() => {
      e.backoffTimer = undefined;
      if (this.healthNow(e.id) === 'backoff' && e.retryAt !== undefined) this.wakeAfter(e, Math.max(1, e.retryAt - this.now()));
    }, delayMs);
    // Only a wake-up call: close() clears it, and it must not keep a finished process alive.
    e.backoffTimer.unref();
  }

  /** Why a backed-off host is refused: its last failure, and how long the backoff has left. */
  backedOffError(hostId: string): SshccError {
    const e = this.entry(hostId);
    const last = e.lastError ?? new SshccError('connect', 'failed');
    const seconds = Math.max(1, Math.ceil(((e.retryAt ?? 0) - this.now()) / 1000));
    return new SshccError(last.code, `${e.id} is backed off for ${seconds} s after: ${last.message}`, {
      cause: last,
      ...(last.hint === undefined ? {} : { hint: last.hint }),
    });
  }

  /** A connection reached the host at `destination` (`user@host:port`). */
  noteDestination(hostId: string, destination: string): void {
    this.entry(hostId).destination = destination;
  }

  /** sshcc-server started there this way; the pool tries it first next time. */
  noteServerMode(hostId: string, mode: ServerMode): void {
    this.entry(hostId).serverMode = mode;
  }

  // The queue: its own word on placement, slots, speed.

  /**
   * `down` or `backoff` keeps new work away from the host until `up` lifts it; the pool's health is
   * left alone (a pool backoff still keeps the host out of placement until it ends).
   */
  setQueueState(hostId: string, state: HostState): void {
    const e = this.entry(hostId);
    e.queueHold = state === 'up' ? undefined : state;
    this.settle(e);
  }

  takeSlot(hostId: string): void {
    this.entry(hostId).running++;
  }

  /** Frees a slot; the job's timing, when given, teaches the host's speed. */
  releaseSlot(hostId: string, timing?: JobTiming): void {
    const e = this.entry(hostId);
    e.running--;
    if (timing !== undefined) this.learnSpeed(e, timing);
  }

  recordTiming(hostId: string, timing: JobTiming): void {
    this.learnSpeed(this.entry(hostId), timing);
  }

  /** A sample after a stale estimate starts a new one: the old one no longer says how the host is. */
  private learnSpeed(e: Entry, timing: JobTiming): void {
    const now = this.now();
    e.speed = updateSpeed(currentSpeed(e.speed, e.speedAt, 0, now), timing);
    e.speedAt = now;
  }

  /** Every host as core's placement policy reads it. */
  loads(): HostLoad[] {
    const now = this.now();
    const loads: HostLoad[] = [];
    for (const e of this.entries.values()) {
      const speed = currentSpeed(e.speed, e.speedAt, e.running, now);
      const capacity = freshCapacity(e.capacity, now);
      loads.push({ id: e.id, slots: effectiveSlots(e.slots, capacity), running: e.running, state: e.queueState, speed, local: e.local, capacity });
    }
    return loads;
  }

  // The compile loop: compilers a host cannot run.

  /** The host lacks this compiler or has another version of it: jobs that need it go elsewhere from now on. */
  markUnfit(hostId: string, compiler: CompilerFingerprint): void {
    this.entry(hostId).unfitCompilers.add(compilerKey(compiler));
  }

  /** The hosts marked unfit for this compiler, as a new set the caller may add to. */
  unfitFor(compiler: CompilerFingerprint): Set<string> {
    const key = compilerKey(compiler);
    return new Set(this.list().flatMap((e) => (e.unfitCompilers.has(key) ? [e.id] : [])));
  }

  /** A pack for the compiler has reached the host: its jobs may go there again. */
  clearUnfit(hostId: string, compiler: CompilerFingerprint): void {
    this.entry(hostId).unfitCompilers.delete(compilerKey(compiler));
  }

  /** How far another build of `client`'s release, `remote`, has earned trust on the host (core's release-trust). */
  releaseTrust(hostId: string, client: CompilerFingerprint, remote: CompilerFingerprint): ReleaseTrust {
    return this.entry(hostId).releaseTrust.get(releaseKey(client, remote)) ?? UNTRIED;
  }

  setReleaseTrust(hostId: string, client: CompilerFingerprint, remote: CompilerFingerprint, trust: ReleaseTrust): void {
    this.entry(hostId).releaseTrust.set(releaseKey(client, remote), trust);
  }

  // Toolchain packs the host holds: those its server's hello listed, and those pushed since.

  notePacks(hostId: string, packs: readonly string[]): void {
    for (const pack of packs) this.entry(hostId).packs.add(pack);
  }

  holdsPack(hostId: string, pack: string): boolean {
    return this.entry(hostId).packs.has(pack);
  }

  // What the volunteer says of its own slots (shared with its other clients).

  /** The server's hello or a job's result reported the volunteer's slots: its last-known capacity. */
  noteCapacity(hostId: string, capacity: VolunteerCapacity): void {
    this.entry(hostId).capacity = { at: this.now(), value: capacity };
    for (const listener of this.capacityListeners) {
      try {
        listener(hostId, capacity);
      } catch {
        this.capacityListeners.delete(listener);
      }
    }
  }

  /** Calls `listener` whenever a volunteer tells its slots; returns the unsubscribe function. */
  subscribeCapacity(listener: CapacityListener): () => void {
    this.capacityListeners.add(listener);
    return () => this.capacityListeners.delete(listener);
  }

  /** Calls `listener` whenever a host's queue state changes; returns the unsubscribe function. */
  subscribe(listener: HostTableListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the backoff wake-ups; the state stays readable. */
  close(): void {
    for (const e of this.entries.values()) {
      clearTimeout(e.backoffTimer);
      e.backoffTimer = undefined;
    }
  }

  private entry(hostId: string): Entry {
    const e = this.entries.get(hostId);
    if (e === undefined) throw new SshccError('internal', `no host "${hostId}" in the host table`);
    return e;
  }

  private setHealth(e: Entry, health: HostHealth): void {
    if (health !== 'backoff') {
      clearTimeout(e.backoffTimer);
      e.backoffTimer = undefined;
    }
    e.health = health;
    this.settle(e);
  }

  /** Works out the queue state again and tells the listeners if it changed. */
  private settle(e: Entry): void {
    const queueState = e.queueHold ?? (e.health === 'backoff' ? 'backoff' : 'up');
    if (queueState === e.queueState) return;
    e.queueState = queueState;
    for (const listener of this.listeners) {
      // A listener's bug must not stop the pool halfway through a failure: it is dropped.
      try {
        listener(e.id, queueState);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}

/** A slot count from the host list or the command line: a whole number of at least 1. */
export function wholeSlots(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SshccError('config', `${what} must be a whole number of slots of at least 1, not ${value}`);
  }
  return value;
}

/** One key per compiler: the same fingerprint, the same compiler. */
export function compilerKey(compiler: CompilerFingerprint): string {
  return JSON.stringify(compiler);
}

/** The volunteer's build is part of the key: should it change (an upgrade to another build of the release), it starts untried. */
function releaseKey(client: CompilerFingerprint, remote: CompilerFingerprint): string {
  return `${compilerKey(client)}\0${compilerKey(remote)}`;
}

function newEntry(host: HostSlots, slots: number): Entry {
  return {
    id: host.id,
    slots,
    local: host.local === true,
    compilerMap: host.compilerMap ?? [],
    health: 'unknown',
    queueState: 'up',
    queueHold: undefined,
    failures: 0,
    retryAt: undefined,
    lastError: undefined,
    running: 0,
    speed: undefined,
    speedAt: 0,
    destination: undefined,
    serverMode: undefined,
    unfitCompilers: new Set(),
    packs: new Set(),
    releaseTrust: new Map(),
    backoffTimer: undefined,
    capacity: undefined,
  };
}
