// How one remote attempt ended, in the words of core's DEPARTURES table: the agent's failover loop
// looks the row up instead of deciding case by case.
import { inexactDiagnostics, isAttemptDeparture, volunteerColour, type AttemptDeparture, type InexactDiagnostics, type RemoteAnalysis } from '@sshcc/core';
import type { JobOutcome, JobResult, JobSpec } from '@sshcc/protocol';
import type { CapturedRun, CompileRequest } from '../wire/messages';
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
  busy: 'volunteer-busy',
};

/** An attempt that left the remote path, and the detail its log line and the fallback's reason name. */
export interface AttemptEnd {
  readonly departure: AttemptDeparture;
  /** What went wrong on that host, for the reason a fallback names (`every volunteer failed (h: <detail>)`). */
  readonly detail: string;
  /** The volunteer's own words, where the table's text leads into them (`h refused it: <message>`). */
  readonly message?: string;
}

/** A gcc compile that printed something or failed: whether its diagnostics can be shown decides its fate. */
export function diagnosticsMatter(analysis: RemoteAnalysis, result: JobResult): boolean {
  return analysis.family === 'gcc' && result.kind === 'compiled' && result.exitCode !== null && (result.exitCode !== 0 || result.stderr.length > 0 || result.stdout.length > 0);
}

/**
 * Why the volunteer's diagnostics cannot be shown as this machine's gcc would print them, or null. The
 * preprocessed run is null when cpp failed: then nothing the volunteer said stands. An answer without a
 * mirror is decided at once: a streamed job's cpp may still run (its compiler failed early), and waiting
 * for it would hold the host's slot for nothing.
 */
export async function inexactOf(request: CompileRequest, analysis: RemoteAnalysis, spec: JobSpec, result: JobResult, whole: Promise<CapturedRun | null>): Promise<InexactDiagnostics | null> {
  if (!result.mirrored) return 'diagnostics';
  const preprocessed = await whole;
  if (preprocessed === null) return 'preprocessor-diagnostics';
  return inexactFor(request, analysis, spec, result, preprocessed);
}

/**
 * Core's verdict on an answer's diagnostics (a volunteer's, or one the agent's cache kept, whose mirror
 * its key names), given this compile's cpp run here.
 */
export function inexactFor(
  request: CompileRequest,
  analysis: RemoteAnalysis,
  spec: JobSpec,
  answer: { readonly stdout: Buffer; readonly stderr: Buffer; readonly mirrored: boolean },
  preprocessed: CapturedRun,
): InexactDiagnostics | null {
  return inexactDiagnostics({
    args: spec.args,
    printed: Buffer.concat([answer.stderr, answer.stdout]).toString('latin1'),
    mirrored: answer.mirrored,
    linesChecked: preprocessed.linesChecked === true,
    preprocessorStderrBytes: preprocessed.stderr.length,
    ownPalette: volunteerColour(analysis.compileArgv, request.env, request.stderrIsTerminal === true).ownPalette,
  });
}

/**
 * A volunteer's answer: null when it is the job's answer, else how it left the remote path. `inexact`
 * (inexactOf) decides for a gcc compile that printed or failed: with exact diagnostics, a warning or an
 * error is the answer, as a compile here would give it.
 */
export function departureOfResult(analysis: RemoteAnalysis, result: JobResult, inexact: InexactDiagnostics | null): AttemptEnd | null {
  if (result.kind !== 'compiled') {
    const departure = OUTCOME_DEPARTURE[result.kind];
    const detail = `${result.kind}: ${result.message}`;
    return departure === 'job-refused' ? { departure, detail, message: result.message } : { departure, detail };
  }
  // Killed by a signal on the volunteer: that host's problem, not the source's.
  if (result.exitCode === null) return { departure: 'remote-crash', detail: `the compiler died of ${result.signal ?? 'a signal'}` };
  if (inexact !== null && diagnosticsMatter(analysis, result)) {
    const departure = inexact === 'diagnostics' && result.exitCode !== 0 ? 'compile-error' : inexact;
    return { departure, detail: result.exitCode !== 0 ? 'the compile failed' : 'the compile printed diagnostics' };
  }
  // clang's failures are rerun here for clang's own words (its -frewrite-includes step spoke first).
  if (result.exitCode !== 0 && analysis.family !== 'gcc') return { departure: 'compile-error', detail: 'the compile failed' };
  if (result.exitCode !== 0) return null;
  // "Compiled, exit 0" without the object: a broken or lying volunteer; its answer is no answer.
  const missing = missingOutput(analysis, result.outputs);
  if (missing !== undefined) return { departure: 'missing-output', detail: `the volunteer returned no ${missing}` };
  return null;
}

/** A thrown attempt failure: its SshccError code where the table has a row for it, else `unexpected`. */
export function departureOfError(code: string | undefined): AttemptDeparture {
  return code !== undefined && isAttemptDeparture(code) ? code : 'unexpected';
}
