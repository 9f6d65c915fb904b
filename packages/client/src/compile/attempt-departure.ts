// How one remote attempt ended, in the words of core's DEPARTURES table: the agent's failover loop
// looks the row up instead of deciding case by case.
import { isAttemptDeparture, type AttemptDeparture, type RemoteAnalysis } from '@sshcc/core';
import type { JobOutcome, JobResult } from '@sshcc/protocol';
import { missingOutput } from './compiled-answer';

/** The protocol's word for a job the volunteer did not compile, as the table names it. */
const OUTCOME_DEPARTURE: Readonly<Record<Exclude<JobOutcome, 'compiled'>, AttemptDeparture>> = {
  'compiler-missing': 'compiler-missing',
  'compiler-mismatch': 'compiler-mismatch',
  refused: 'job-refused',
  'remote-failed': 'remote-failed',
  timeout: 'timeout',
  limit: 'limit-exceeded',
  cancelled: 'cancelled',
};

/** An attempt that left the remote path, and the detail its log line and the fallback's reason name. */
export interface AttemptEnd {
  readonly departure: AttemptDeparture;
  /** What went wrong on that host, for the reason a fallback names (`every volunteer failed (h: <detail>)`). */
  readonly detail: string;
  /** The volunteer's own words, where the table's text leads into them (`h refused it: <message>`). */
  readonly message?: string;
}

/** A volunteer's answer: null when it is the job's answer, else how it left the remote path. */
export function departureOfResult(analysis: RemoteAnalysis, result: JobResult): AttemptEnd | null {
  if (result.kind !== 'compiled') {
    const departure = OUTCOME_DEPARTURE[result.kind];
    const detail = `${result.kind}: ${result.message}`;
    return departure === 'job-refused' ? { departure, detail, message: result.message } : { departure, detail };
  }
  // Killed by a signal on the volunteer: that host's problem, not the source's.
  if (result.exitCode === null) return { departure: 'remote-crash', detail: `the compiler died of ${result.signal ?? 'a signal'}` };
  if (result.exitCode !== 0) return { departure: 'compile-error', detail: 'the compile failed' };
  if (quotesWrongSource(analysis, result)) return { departure: 'diagnostics', detail: 'the compile printed diagnostics' };
  // "Compiled, exit 0" without the object: a broken or lying volunteer; its answer is no answer.
  const missing = missingOutput(analysis, result.outputs);
  if (missing !== undefined) return { departure: 'missing-output', detail: `the volunteer returned no ${missing}` };
  return null;
}

/** A thrown attempt failure: its SshccError code where the table has a row for it, else `unexpected`. */
export function departureOfError(code: string | undefined): AttemptDeparture {
  return code !== undefined && isAttemptDeparture(code) ? code : 'unexpected';
}

/**
 * A gcc compile that printed diagnostics with source quotes on (gcc's default): gcc quotes the source
 * line under a diagnostic by reading the file its line markers name, which on the volunteer is absent
 * or the preprocessed input itself. clang quotes from the buffer it compiles (the -frewrite-includes
 * text), which holds the source lines themselves.
 */
function quotesWrongSource(analysis: RemoteAnalysis, result: JobResult): boolean {
  if (analysis.family !== 'gcc' || result.stderr.length === 0) return false;
  // The last of -f[no-]diagnostics-show-caret decides; -fdiagnostics-plain-output turns quotes off too.
  const switches = analysis.compileArgv.filter((arg) => /^-f(no-)?diagnostics-show-caret$|^-fdiagnostics-plain-output$/.test(arg));
  return switches.length === 0 || switches[switches.length - 1] === '-fdiagnostics-show-caret';
}
