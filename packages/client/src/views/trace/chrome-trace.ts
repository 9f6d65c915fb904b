// `sshcc trace` output: Chrome's trace-event JSON (the "JSON Object Format"), which Perfetto and
// chrome://tracing open. Complete events ('X') only, nested by time on their track, plus the
// metadata events ('M') that name processes and threads.
import type { AttemptRecord, JobRecord } from '../../events';

export interface TraceEvent {
  readonly name: string;
  readonly cat?: string;
  readonly ph: 'X' | 'M';
  /** Microseconds from the trace's start. */
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: Record<string, string | number | boolean | null>;
}

export interface ChromeTrace {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: { readonly generator: string; readonly start: string; readonly jobs: number };
}

/** The track of every job's whole life, split into phases; its threads are lanes, not slots. */
const JOBS_PID = 1;
/** This machine's preprocessor slots and `--localslots` compile slots. */
const LOCAL_PID = 2;
const FIRST_HOST_PID = 3;
const LOCAL_COMPILE_TID = 1001;

/**
 * Jobs as tracks: process "jobs" has each job as one span (category `job`) from its arrival to its
 * answer, split into queue / preprocess / send / compile / receive (category `phase`); process
 * "this machine" has a track per preprocessor slot and per local compile slot; each volunteer is a
 * process with a track per slot, where every stay on the slot is a span (category `slot`) split into
 * send / compile / receive. So a slow host shows as long compile spans on its tracks, and waiting shows
 * as queue spans on the jobs' lanes.
 */
export function chromeTrace(jobs: readonly JobRecord[], generator: string): ChromeTrace {
  const finished = jobs.filter((job) => job.end !== null).sort((a, b) => a.start - b.start || a.id - b.id);
  const base = finished[0]?.start ?? 0;
  const us = (at: number): number => Math.round((at - base) * 1000);
  const events: TraceEvent[] = [];
  const span = (name: string, cat: string, from: number, to: number, pid: number, tid: number, args?: TraceEvent['args']): void => {
    const ts = us(from);
    events.push({ name, cat, ph: 'X', ts, dur: Math.max(0, us(Math.max(from, to)) - ts), pid, tid, ...(args ? { args } : {}) });
  };
  const hostPids = new Map<string, number>();
  const threads = new Map<string, { pid: number; tid: number; name: string }>();
  const thread = (pid: number, tid: number, name: string): number => {
    threads.set(`${pid}/${tid}`, { pid, tid, name });
    return tid;
  };
  const lanes: number[] = [];
  for (const job of finished) {
    const end = job.end as number;
    let lane = lanes.findIndex((busyUntil) => busyUntil <= job.start);
    if (lane < 0) lane = lanes.push(0) - 1;
    lanes[lane] = end;
    const tid = thread(JOBS_PID, lane + 1, `lane ${lane + 1}`);
    span(job.label, 'job', job.start, end, JOBS_PID, tid, {
      job: job.id,
      result: job.result,
      host: job.host,
      reason: job.reason,
      failedOver: job.failedOver,
      exitCode: job.exitCode,
      cwd: job.cwd,
    });
    const phase = (name: string, from: number | null, to: number | null, args?: TraceEvent['args']): void => {
      if (from !== null && to !== null) span(name, 'phase', from, Math.min(to, end), JOBS_PID, tid, args);
    };
    phase('queue', job.cppWait, job.preprocessStart, { for: 'cpp slot' });
    phase('preprocess', job.preprocessStart, job.preprocessEnd);
    if (job.preprocessStart !== null && job.cppSlot !== null) {
      span(job.label, 'preprocess', job.preprocessStart, job.preprocessEnd ?? end, LOCAL_PID, thread(LOCAL_PID, job.cppSlot + 1, `cpp ${job.cppSlot + 1}`), { job: job.id });
    }
    for (const attempt of job.attempts) {
      phase('queue', attempt.waitStart, attempt.granted ?? end, { for: 'compile slot' });
      if (attempt.granted === null) continue;
      const released = attempt.released ?? end;
      const where = attemptArgs(job, attempt);
      let pid: number;
      let slotTid: number;
      if (attempt.host === null) {
        pid = LOCAL_PID;
        slotTid = thread(LOCAL_PID, LOCAL_COMPILE_TID + attempt.slot, `compile ${attempt.slot + 1}`);
      } else {
        pid = hostPids.get(attempt.host) ?? FIRST_HOST_PID + hostPids.size;
        hostPids.set(attempt.host, pid);
        slotTid = thread(pid, attempt.slot + 1, `slot ${attempt.slot + 1}`);
      }
      span(job.label, 'slot', attempt.granted, released, pid, slotTid, where);
      for (const [name, from, to] of attemptPhases(attempt, released)) {
        phase(name, from, to, where);
        span(name, 'phase', from, to, pid, slotTid, where);
      }
    }
  }
  const meta: TraceEvent[] = [
    ...processMeta(JOBS_PID, 'jobs', 0),
    ...processMeta(LOCAL_PID, 'this machine', 1),
    ...[...hostPids].flatMap(([host, pid]) => processMeta(pid, host, pid)),
    ...[...threads.values()].flatMap(({ pid, tid, name }): TraceEvent[] => [
      { name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name } },
      { name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid, args: { sort_index: tid } },
    ]),
  ];
  return {
    traceEvents: [...meta, ...events],
    displayTimeUnit: 'ms',
    otherData: { generator, start: new Date(base).toISOString(), jobs: finished.length },
  };
}

function processMeta(pid: number, name: string, sortIndex: number): TraceEvent[] {
  return [
    { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name } },
    { name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: sortIndex } },
  ];
}

function attemptArgs(job: JobRecord, attempt: AttemptRecord): TraceEvent['args'] {
  const figures = attempt.figures;
  return {
    job: job.id,
    host: attempt.host ?? 'local',
    outcome: attempt.outcome,
    ...(figures
      ? {
          serverCompileMs: figures.compileMs,
          sentBytes: figures.sentBytes,
          sentWireBytes: figures.sentWireBytes,
          receivedBytes: figures.receivedBytes,
          receivedWireBytes: figures.receivedWireBytes,
        }
      : {}),
  };
}

/** An attempt's phases: a local compile is one; a remote one is send, compile, receive as far as it got. */
function attemptPhases(attempt: AttemptRecord, released: number): [string, number, number][] {
  const granted = attempt.granted as number;
  if (attempt.local) return [['local compile', granted, released]];
  const sent = attempt.sent ?? attempt.answered ?? released;
  const phases: [string, number, number][] = [['send', granted, sent]];
  if (attempt.answered !== null) {
    if (attempt.sent !== null) phases.push(['compile', attempt.sent, attempt.answered]);
    phases.push(['receive', attempt.answered, released]);
  } else if (attempt.sent !== null) {
    phases.push(['compile', attempt.sent, released]);
  }
  return phases;
}
