// What `sshcc stats` counts, as kept in $SSHCC_DIR/stats.json. Plain JSON; sums rather than means, so
// that they add up across agent restarts and a mean is computed when shown.

import { MAX_HELLO_PACKS } from '@sshcc/protocol';

export const STATS_VERSION = 1;
/** A push's reason is one line of the agent log; a file edited by hand gets no more room than that. */
export const MAX_REASON_CHARS = 500;

export interface HostStats {
  /** Jobs this host compiled (the ones that counted as remote). */
  jobs: number;
  /** Times a job held one of its slots, failed attempts included. */
  attempts: number;
  /** Failed attempts by kind: an SshccError code (connect, timeout, …) or a protocol outcome (compiler-mismatch, …). */
  failures: Record<string, number>;
  /** Compiles the volunteer ran (successful or not), and their summed compiler time (its own clock). */
  compiles: number;
  compileMs: number;
  /** Summed time its slots were held (send + compile + receive, as the agent saw it). */
  slotMs: number;
  /** Source up and outputs down, before compression and on the wire. */
  sentBytes: number;
  sentWireBytes: number;
  receivedBytes: number;
  receivedWireBytes: number;
  /** Times the pool backed off from it. */
  backoffs: number;
  /** Jobs it answered from its result cache (not in `compiles`: no compiler ran). */
  cacheHits: number;
  /** Its answers that sampled verification compiled here too (a mismatch is also among its failures). */
  verified: number;
  /** Toolchain pushes that ended with the pack held there: how many, archive bytes sent, summed time. */
  packsPushed: number;
  packWireBytes: number;
  packPushMs: number;
  /** Toolchain pushes that failed (or were not made: another arch), and the last one's reason. */
  packsFailed: number;
  lastPackFailure: string | null;
  /** Ids of the toolchain packs it is known to hold: its server's last hello, and pushes since. */
  packsHeld: string[];
  /** Attempts it declined because every one of its slots was taken by its clients, or it was draining (`volunteer-busy`). */
  declinedBusy: number;
  /** Summed time jobs waited there for one of its slots (its own clock). */
  slotWaitMs: number;
}

export interface StatsData {
  version: typeof STATS_VERSION;
  /** When counting started (the last `sshcc stats -z`), ISO time. */
  since: string;
  /** When a job was last counted, ISO time. */
  updated: string;
  jobs: {
    total: number;
    remote: number;
    local: number;
    /** Jobs that failed on a host first and then ran elsewhere (another host, or here). */
    failedOver: number;
    /** sshcc answered with its own failure (e.g. the compiler is not on PATH). */
    errors: number;
    /** The client went away (Ctrl-C, killed make). */
    cancelled: number;
    /** Jobs whose source went to a volunteer while it was still being preprocessed. */
    streamed: number;
    localByReason: Record<string, number>;
  };
  time: {
    /** Local preprocessing: jobs and summed wall time. */
    preprocessed: number;
    preprocessMs: number;
    /** Waiting for a local preprocessor slot. */
    cppWaitMs: number;
    /** Waiting in the compile queue for any slot. */
    queuedMs: number;
    /** Compiles run inside the agent (a `localhost/N` slot or a fallback), and their time. */
    localCompiles: number;
    localCompileMs: number;
  };
  hosts: Record<string, HostStats>;
  /**
   * The result cache: jobs answered from the agent's or a volunteer's, and jobs looked up that missed both;
   * `directHits`: the agent's hits found without a cpp run (direct mode), counted in `agentHits` too.
   */
  cache: { agentHits: number; directHits: number; volunteerHits: number; misses: number };
  /** Sampled verification (SSHCC_VERIFY): remote answers compiled here too, and those whose objects differed. */
  verify: { checked: number; mismatched: number };
}

export function emptyStats(now: number): StatsData {
  const at = new Date(now).toISOString();
  return {
    version: STATS_VERSION,
    since: at,
    updated: at,
    jobs: { total: 0, remote: 0, local: 0, failedOver: 0, errors: 0, cancelled: 0, streamed: 0, localByReason: {} },
    time: { preprocessed: 0, preprocessMs: 0, cppWaitMs: 0, queuedMs: 0, localCompiles: 0, localCompileMs: 0 },
    hosts: {},
    cache: { agentHits: 0, directHits: 0, volunteerHits: 0, misses: 0 },
    verify: { checked: 0, mismatched: 0 },
  };
}

export function emptyHostStats(): HostStats {
  return {
    jobs: 0,
    attempts: 0,
    failures: {},
    compiles: 0,
    compileMs: 0,
    slotMs: 0,
    sentBytes: 0,
    sentWireBytes: 0,
    receivedBytes: 0,
    receivedWireBytes: 0,
    backoffs: 0,
    cacheHits: 0,
    verified: 0,
    packsPushed: 0,
    packWireBytes: 0,
    packPushMs: 0,
    packsFailed: 0,
    lastPackFailure: null,
    packsHeld: [],
    declinedBusy: 0,
    slotWaitMs: 0,
  };
}

/**
 * Stats as read from disk, checked field by field: a missing or mistyped number counts as 0, and
 * anything that is not a version-1 stats object at all gives null (the caller starts afresh).
 */
export function normalizeStats(raw: unknown, now: number): StatsData | null {
  if (!isRecord(raw) || raw.version !== STATS_VERSION) return null;
  const fresh = emptyStats(now);
  const jobs = isRecord(raw.jobs) ? raw.jobs : {};
  const time = isRecord(raw.time) ? raw.time : {};
  const hosts = isRecord(raw.hosts) ? raw.hosts : {};
  return {
    version: STATS_VERSION,
    since: isoOr(raw.since, fresh.since),
    updated: isoOr(raw.updated, fresh.updated),
    jobs: { ...numbers(fresh.jobs, jobs), localByReason: counts(jobs.localByReason) },
    time: numbers(fresh.time, time),
    cache: numbers(fresh.cache, isRecord(raw.cache) ? raw.cache : {}),
    verify: numbers(fresh.verify, isRecord(raw.verify) ? raw.verify : {}),
    hosts: Object.fromEntries(
      Object.entries(hosts).map(([id, host]) => {
        const h = isRecord(host) ? host : {};
        return [id, { ...numbers(emptyHostStats(), h), failures: counts(h.failures), lastPackFailure: oneLineOrNull(h.lastPackFailure), packsHeld: packIds(h.packsHeld) }];
      }),
    ),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `template`'s number fields taken from `source` where they are finite and not negative. */
function numbers<T extends object>(template: T, source: Record<string, unknown>): T {
  const out = { ...template } as Record<string, unknown>;
  for (const [key, value] of Object.entries(template)) {
    if (typeof value !== 'number') continue;
    const given = source[key];
    out[key] = typeof given === 'number' && Number.isFinite(given) && given >= 0 ? given : 0;
  }
  return out as T;
}

function counts(value: unknown): Record<string, number> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]) && entry[1] >= 0));
}

function oneLineOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value.replace(/\s+/g, ' ').slice(0, MAX_REASON_CHARS) : null;
}

function packIds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((id): id is string => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id)))].slice(0, MAX_HELLO_PACKS);
}

function isoOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : fallback;
}
