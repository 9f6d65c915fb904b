import type { AttemptFigures, AttemptOutcome, CacheUse, FeedEvent, JobResultKind, Verification } from './feed-event';

/** One stay on a compile slot, from the wait for it to its release. */
export interface AttemptRecord {
  readonly waitStart: number;
  granted: number | null;
  host: string | null;
  local: boolean;
  slot: number;
  sent: number | null;
  answered: number | null;
  released: number | null;
  outcome: AttemptOutcome | null;
  figures: AttemptFigures | null;
}

/** A job as the feed told it: the live view shows the running ones, the trace the finished ones. Plain JSON. */
export interface JobRecord {
  readonly id: number;
  label: string;
  readonly cwd: string;
  readonly start: number;
  cppWait: number | null;
  preprocessStart: number | null;
  preprocessEnd: number | null;
  cppSlot: number | null;
  attempts: AttemptRecord[];
  end: number | null;
  result: JobResultKind | null;
  host: string | null;
  reason: string | null;
  failedOver: boolean;
  exitCode: number | null;
  /** Answered from a result cache (the agent's or the volunteer's), or looked up and missed. */
  cache: CacheUse | null;
  /** Its source went up while cpp still wrote it. */
  streamed: boolean;
  /** Sampled verification compiled it here too: whose answer, and whether the objects were the same. */
  verified: Verification | null;
}

/** What `sshcc mon` shows a job doing. */
export type JobPhase = 'queued' | 'preprocess' | 'send' | 'compile' | 'receive' | 'local' | 'done';

export type JobEvent = Extract<FeedEvent, { readonly job: number }>;

export function isJobEvent(event: FeedEvent): event is JobEvent {
  return 'job' in event;
}

export function newJobRecord(event: Extract<FeedEvent, { type: 'job-start' }>): JobRecord {
  return {
    id: event.job,
    label: event.label,
    cwd: event.cwd,
    start: event.at,
    cppWait: null,
    preprocessStart: null,
    preprocessEnd: null,
    cppSlot: null,
    attempts: [],
    end: null,
    result: null,
    host: null,
    reason: null,
    failedOver: false,
    exitCode: null,
    cache: null,
    streamed: false,
    verified: null,
  };
}

/** Folds one of the job's own events into its record. */
export function applyJobEvent(record: JobRecord, event: JobEvent): void {
  const attempt = record.attempts[record.attempts.length - 1];
  switch (event.type) {
    case 'job-start':
      return;
    case 'job-label':
      record.label = event.label;
      return;
    case 'cpp-wait':
      record.cppWait = event.at;
      return;
    case 'preprocess-start':
      record.preprocessStart = event.at;
      record.cppSlot = event.slot;
      return;
    case 'preprocess-end':
      record.preprocessEnd = event.at;
      return;
    case 'compile-wait':
      record.attempts.push({
        waitStart: event.at,
        granted: null,
        host: null,
        local: false,
        slot: 0,
        sent: null,
        answered: null,
        released: null,
        outcome: null,
        figures: null,
      });
      return;
    case 'slot-granted':
      if (attempt === undefined) return;
      Object.assign(attempt, { granted: event.at, host: event.host, local: event.local, slot: event.slot });
      return;
    case 'stage':
      if (attempt === undefined) return;
      if (event.stage === 'sent') attempt.sent = event.at;
      else attempt.answered = event.at;
      return;
    case 'slot-released':
      if (attempt === undefined) return;
      Object.assign(attempt, { released: event.at, outcome: event.outcome, figures: event.figures });
      return;
    case 'job-end':
      Object.assign(record, {
        end: event.at,
        result: event.result,
        host: event.host,
        reason: event.reason,
        failedOver: event.failedOver,
        exitCode: event.exitCode,
        cache: event.cache ?? null,
        streamed: event.streamed ?? false,
        verified: event.verified ?? null,
      });
      return;
  }
}

/** What the job is doing now. */
export function jobPhase(record: JobRecord): JobPhase {
  if (record.end !== null) return 'done';
  const attempt = record.attempts[record.attempts.length - 1];
  if (attempt === undefined) return record.preprocessStart !== null && record.preprocessEnd === null ? 'preprocess' : 'queued';
  if (attempt.granted === null) return 'queued';
  if (attempt.local) return 'local';
  if (attempt.released !== null) return attempt.outcome === 'compiled' ? 'receive' : 'queued';
  if (attempt.answered !== null) return 'receive';
  if (attempt.sent !== null) return 'compile';
  return 'send';
}

/** The host (or `local`) the job is on now, if it holds a compile slot. */
export function jobPlace(record: JobRecord): string | null {
  const attempt = record.attempts[record.attempts.length - 1];
  if (attempt === undefined || attempt.granted === null) return null;
  return attempt.host ?? 'local';
}
