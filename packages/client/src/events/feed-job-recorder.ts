import type { Analysis, Departure } from '@sshcc/core';
import type { JobResult, JobStage } from '@sshcc/protocol';
import type { CompileAnswer, CompileRequest } from '../wire/messages';
import type { CompileGrant } from '../queue';
import type { AttemptFigures, AttemptOutcome, CacheUse, FeedEvent, JobResultKind, Verification } from './feed-event';
import type { JobRecorder } from './job-events';
import { jobLabel } from './job-label';
import type { SlotTable } from './slot-table';

/** Slot table keys: a host's id, or these for this machine's own slots. */
const CPP_KEY = '\0cpp';
const LOCAL_KEY = '\0local';

/** What a job's recorder needs of the feed it reports into (the EventFeed, which creates recorders). */
export interface FeedSink {
  emit(event: FeedEvent): void;
  now(): number;
  readonly slots: SlotTable;
}

/** One job's reports into the feed. */
export class FeedJobRecorder implements JobRecorder {
  private attempt: { outcome: AttemptOutcome; figures: AttemptFigures | null } | null = null;
  private counted: { result: JobResultKind; host: string | null; reason: string | null; failedOver: boolean } | null = null;
  private ended = false;
  /** What the agent's lookup found; a volunteer's hit counts only if its answer became the job's. */
  private cache: CacheUse | null = null;
  private volunteerHit = false;
  private wasStreamed = false;
  private verification: Verification | null = null;

  constructor(
    private readonly feed: FeedSink,
    private readonly job: number,
    private readonly request: CompileRequest,
  ) {
    feed.emit({ type: 'job-start', job, at: feed.now(), label: jobLabel(request.cwd, request.argv), cwd: request.cwd });
  }

  analysed(analysis: Analysis): void {
    if (analysis.mode !== 'remote') return;
    this.feed.emit({ type: 'job-label', job: this.job, at: this.feed.now(), label: jobLabel(this.request.cwd, this.request.argv, analysis.output) });
  }

  async cppSlot(granted: Promise<() => void>): Promise<() => void> {
    const { feed, job } = this;
    feed.emit({ type: 'cpp-wait', job, at: feed.now() });
    const release = await granted;
    const slot = feed.slots.take(CPP_KEY);
    feed.emit({ type: 'preprocess-start', job, at: feed.now(), slot });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      feed.slots.free(CPP_KEY, slot);
      feed.emit({ type: 'preprocess-end', job, at: feed.now() });
      release();
    };
  }

  async compileSlot(granted: Promise<CompileGrant>): Promise<CompileGrant> {
    const { feed, job } = this;
    feed.emit({ type: 'compile-wait', job, at: feed.now() });
    const grant = await granted;
    const local = grant.kind === 'local';
    const key = grant.hostId ?? LOCAL_KEY;
    const slot = feed.slots.take(key);
    this.attempt = null;
    feed.emit({ type: 'slot-granted', job, at: feed.now(), host: grant.hostId, local, slot });
    let released = false;
    const release: CompileGrant['release'] = (timing) => {
      if (released) return;
      released = true;
      feed.slots.free(key, slot);
      const attempt = this.attempt ?? { outcome: local ? 'local' : 'cancelled', figures: null };
      this.attempt = null;
      feed.emit({ type: 'slot-released', job, at: feed.now(), outcome: attempt.outcome, figures: attempt.figures });
      grant.release(timing);
    };
    return { ...grant, release };
  }

  stage(stage: JobStage): void {
    this.feed.emit({ type: 'stage', job: this.job, at: this.feed.now(), stage });
  }

  remoteDone(result: JobResult, outcome: AttemptOutcome): void {
    const { timings, transfer } = result;
    this.attempt = {
      outcome,
      figures: {
        receiveMs: timings.receiveMs,
        compileMs: timings.compileMs,
        totalMs: timings.totalMs,
        sentBytes: transfer.sentBytes,
        sentWireBytes: transfer.sentWireBytes,
        receivedBytes: transfer.receivedBytes,
        receivedWireBytes: transfer.receivedWireBytes,
        cached: result.cached,
        ...(timings.slotWaitMs === undefined ? {} : { slotWaitMs: timings.slotWaitMs }),
      },
    };
    this.volunteerHit = result.cached && outcome === 'compiled';
  }

  cacheLookup(outcome: 'hit' | 'direct-hit' | 'miss'): void {
    this.cache = outcome === 'hit' ? 'agent' : outcome === 'direct-hit' ? 'agent-direct' : 'miss';
  }

  streamed(): void {
    this.wasStreamed = true;
  }

  verified(host: string, match: boolean): void {
    this.verification = { host, match };
  }

  remoteFailed(outcome: AttemptOutcome): void {
    this.attempt = { outcome, figures: null };
  }

  countRemote(host: string, failedOver: boolean): void {
    this.counted = { result: 'remote', host, reason: null, failedOver };
  }

  countLocal(reason: Departure, failedOver: boolean): void {
    this.counted = { result: 'local', host: null, reason, failedOver };
  }

  end(answer: CompileAnswer | null, error?: 'cancelled' | 'error'): void {
    if (this.ended) return;
    this.ended = true;
    const counted = error !== undefined || this.counted === null ? { result: error ?? 'error', host: null, reason: error ?? 'sshcc-failed', failedOver: false } : this.counted;
    const exitCode = answer?.kind === 'result' ? answer.exitCode : null;
    const cache = counted.result === 'remote' && this.volunteerHit ? 'volunteer' : this.cache;
    this.feed.emit({ type: 'job-end', job: this.job, at: this.feed.now(), ...counted, exitCode, cache, streamed: this.wasStreamed, verified: this.verification });
  }
}
