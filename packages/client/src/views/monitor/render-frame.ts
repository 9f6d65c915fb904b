import type { Capacity } from '@sshcc/protocol';
import { jobPhase, jobPlace } from '../../events';
import { formatTable } from '../format-table';
import type { HostView, LiveView, SlotUse } from './live-view';

export interface FrameOptions {
  /** Epoch ms to measure elapsed times against. */
  readonly now: number;
  /** Terminal columns: longer lines are cut. Unlimited when absent (not a terminal). */
  readonly columns?: number;
  /** Terminal rows: job rows beyond the screen are summed up in one line. */
  readonly rows?: number;
}

/**
 * One frame of `sshcc mon` as plain text: the progress line, a row per host, a row per job. The TTY
 * mode draws the same lines over the previous frame.
 */
export function renderFrame(view: LiveView, options: FrameOptions): string[] {
  const { running, queued } = view.counts();
  const clock = new Date(options.now).toTimeString().slice(0, 8);
  const lines = [`sshcc mon  ${clock}  finished ${view.finished}  running ${running}  queued ${queued}`, ''];
  const use = view.slotUse();
  // The volunteers' own count, every client's jobs: a column once some volunteer told it (older servers do not).
  const told = view.hosts().some((host) => host.capacity !== undefined && host.capacity !== null);
  const there = (value: string): string[] => (told ? [value] : []);
  const hostRows = [['HOST', 'STATE', 'SLOTS', ...there('USED THERE (ALL CLIENTS)'), 'TOOLCHAIN']];
  for (const host of view.hosts()) hostRows.push([host.id, hostState(host, options.now), slots(use.hosts.get(host.id)), ...there(volunteerSlots(host.capacity)), host.pack ?? '-']);
  hostRows.push(['(local cpp)', '-', slots(use.cpp), ...there('-'), '-'], ['(local compile)', '-', slots(use.local), ...there('-'), '-']);
  lines.push(...table(hostRows), '');
  const jobs = view.activeJobs();
  if (jobs.length === 0) {
    lines.push('no jobs running');
  } else {
    const room = options.rows === undefined ? jobs.length : Math.max(1, options.rows - lines.length - 2);
    const shown = jobs.length > room ? jobs.slice(0, room - 1) : jobs;
    const jobRows = [['JOB', 'STATE', 'HOST', 'ELAPSED', 'FILE']];
    for (const job of shown) jobRows.push([String(job.id), jobPhase(job), jobPlace(job) ?? '-', elapsed(options.now - job.start), job.label]);
    lines.push(...table(jobRows));
    if (shown.length < jobs.length) lines.push(`… and ${jobs.length - shown.length} more`);
  }
  return options.columns === undefined ? lines : lines.map((line) => cut(line, options.columns as number));
}

function table(rows: string[][]): string[] {
  return formatTable(rows).trimEnd().split('\n');
}

function hostState(host: HostView, now: number): string {
  if (host.state === 'backoff' && host.until !== null) {
    const left = host.until - now;
    return left > 0 ? `backing off (${Math.ceil(left / 1000)}s)` : 'retrying';
  }
  return { unknown: 'not yet used', up: 'up', down: 'down', backoff: 'backing off' }[host.state];
}

function slots(use: SlotUse | undefined): string {
  return use === undefined ? '-' : `${use.busy}/${use.total}`;
}

/** The volunteer's own count, every client's jobs: "3/4", "4/4, 2 queued", "draining (1 running)". */
export function volunteerSlots(capacity: Capacity | null | undefined): string {
  if (capacity === undefined || capacity === null) return '-';
  if (capacity.cap === 0) return `draining (${capacity.busy} running)`;
  return `${capacity.busy}/${capacity.cap}${capacity.waiting > 0 ? `, ${capacity.waiting} queued` : ''}`;
}

/** 850 → "0.9s", 61000 → "1m01s". */
export function elapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

function cut(line: string, columns: number): string {
  return line.length <= columns ? line : `${line.slice(0, Math.max(0, columns - 1))}…`;
}
