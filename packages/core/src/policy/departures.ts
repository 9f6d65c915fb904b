// Every way a compile leaves the remote path has one row here: what becomes of the job, what becomes
// of the host it was on, and the sentence the log, `sshcc explain`, `sshcc stats` and the README print.
// The member's name is its stats key. A new way to fail is one row; the agent only looks rows up.

import { LOCAL_REASON_TEXT } from '../argv/local-reasons';
import type { LocalReason } from '../argv/types';
import type { SshccErrorCode } from '../errors/exit-codes';
import type { InexactDiagnostics } from './remote-diagnostics';

/** What becomes of the job. */
export type JobAction =
  | 'next-host' // another volunteer gets it; when none is left, this machine compiles it (`fallback`)
  | 'exec-in-client' // the client runs the compiler itself, so the build sees the compiler's own output
  | 'compile-in-agent' // the agent compiles it here, under a local compile slot
  | 'answer-cached'; // the agent's result cache answers: no compiler runs

/** What becomes of the host the attempt ran on. */
export type HostAction =
  | 'none' // nothing was wrong with the host
  | 'skip-for-job' // this job does not go back to it; the pool itself backs off a host it cannot reach
  | 'back-off' // no new work for the host until its backoff ends (the pool's own, where it could not reach it)
  | 'unfit-for-compiler'; // the host is not sent this compiler again (for the agent's life)

export interface DepartureRow {
  readonly job: JobAction;
  readonly host: HostAction;
  /** `sshcc stats` counts the attempt among the host's failures (under the member's name). */
  readonly hostFailure: boolean;
  /** Why, as one clause (`sshcc: a.o: compiled locally: <text>`); `{host}` stands for the volunteer. */
  readonly text: string;
}

/** Ways a compile ends up off the remote path that are decided before any volunteer is tried. */
export type JobDeparture =
  | LocalReason
  | 'no-hosts'
  | 'agent-unavailable'
  | 'agent-cache'
  | 'agent-cache-direct'
  | 'preprocess-failed'
  | 'localhost'
  | 'fallback';

/** Ways one remote attempt ends without an answer the build can use (SshccError codes where one fits). */
export const ATTEMPT_DEPARTURES = [
  'connect',
  'auth',
  'host-key',
  'protocol',
  'timeout',
  'remote-crash',
  'remote-failed',
  'limit-exceeded',
  'compiler-missing',
  'compiler-mismatch',
  'job-refused',
  'unexpected',
  'missing-output',
  'compile-error',
  'diagnostics',
  'format-diagnostics',
  'preprocessor-diagnostics',
  'cancelled',
  'verify-mismatch',
  'volunteer-busy',
] as const satisfies readonly (SshccErrorCode | 'unexpected' | 'missing-output' | 'compile-error' | InexactDiagnostics | 'cancelled' | 'verify-mismatch' | 'volunteer-busy')[];
export type AttemptDeparture = (typeof ATTEMPT_DEPARTURES)[number];

export type Departure = JobDeparture | AttemptDeparture;

const ANALYSED_LOCAL = Object.fromEntries(
  Object.entries(LOCAL_REASON_TEXT).map(([reason, text]) => [reason, { job: 'exec-in-client', host: 'none', hostFailure: false, text }]),
) as Record<LocalReason, DepartureRow>;

export const DEPARTURES: Readonly<Record<Departure, DepartureRow>> = {
  ...ANALYSED_LOCAL,
  'no-hosts': { job: 'exec-in-client', host: 'none', hostFailure: false, text: 'no remote hosts are configured' },
  'agent-unavailable': { job: 'exec-in-client', host: 'none', hostFailure: false, text: 'the agent could not be reached or started' },
  'agent-cache': { job: 'answer-cached', host: 'none', hostFailure: false, text: 'answered from the result cache' },
  // Direct mode: the files cpp read last time are unchanged, so the result key was known without a cpp run.
  'agent-cache-direct': { job: 'answer-cached', host: 'none', hostFailure: false, text: 'answered from the result cache without running the preprocessor (direct mode)' },
  'preprocess-failed': { job: 'exec-in-client', host: 'none', hostFailure: false, text: 'preprocessing failed' },
  localhost: { job: 'compile-in-agent', host: 'none', hostFailure: false, text: 'localhost slot' },
  fallback: { job: 'compile-in-agent', host: 'none', hostFailure: false, text: 'no volunteer is usable' },
  connect: { job: 'next-host', host: 'back-off', hostFailure: true, text: 'the host could not be reached' },
  auth: { job: 'next-host', host: 'back-off', hostFailure: true, text: 'the host refused the login' },
  'host-key': { job: 'next-host', host: 'back-off', hostFailure: true, text: 'the host key is unknown or changed' },
  protocol: { job: 'next-host', host: 'skip-for-job', hostFailure: true, text: 'the volunteer broke the protocol' },
  timeout: { job: 'next-host', host: 'skip-for-job', hostFailure: true, text: 'the volunteer did not answer in time' },
  'remote-crash': { job: 'next-host', host: 'skip-for-job', hostFailure: true, text: 'the compiler or server died on the volunteer' },
  'remote-failed': { job: 'next-host', host: 'back-off', hostFailure: true, text: 'the volunteer could not run the job (disk full, spawn failed)' },
  'limit-exceeded': { job: 'next-host', host: 'skip-for-job', hostFailure: true, text: 'the source, outputs or diagnostics passed a size limit' },
  'compiler-missing': { job: 'next-host', host: 'unfit-for-compiler', hostFailure: true, text: 'the volunteer has no such compiler' },
  'compiler-mismatch': { job: 'next-host', host: 'unfit-for-compiler', hostFailure: true, text: "the volunteer's compiler differs from this machine's" },
  'job-refused': { job: 'exec-in-client', host: 'skip-for-job', hostFailure: true, text: '{host} refused it' },
  // Not sshcc's `internal` exit code: a failure with no code of its own, met on the way to a volunteer.
  unexpected: { job: 'next-host', host: 'skip-for-job', hostFailure: true, text: 'sshcc failed unexpectedly on the way' },
  'missing-output': { job: 'next-host', host: 'skip-for-job', hostFailure: true, text: 'the volunteer returned no object' },
  // A volunteer's diagnostics are the answer when it compiled in a mirror of lines the client checked
  // (policy/remote-diagnostics.ts); these rows are the cases where they cannot be, and the compile reruns here.
  'compile-error': { job: 'exec-in-client', host: 'none', hostFailure: false, text: "it failed on {host}, whose errors may not read as this machine's gcc prints them; rerun here" },
  diagnostics: { job: 'exec-in-client', host: 'none', hostFailure: false, text: "it printed diagnostics on {host} that may not read as this machine's gcc prints them; rerun here" },
  'format-diagnostics': { job: 'exec-in-client', host: 'none', hostFailure: false, text: 'gcc places -Wformat carets only in source read without line markers; rerun here' },
  'preprocessor-diagnostics': { job: 'exec-in-client', host: 'none', hostFailure: false, text: "the preprocessor's diagnostics, which gcc -c interleaves with the compile's; rerun here" },
  // The volunteer cancels only at the agent's word (the client went away, or its cpp failed).
  cancelled: { job: 'next-host', host: 'skip-for-job', hostFailure: false, text: 'the job was cancelled' },
  // Sampled verification (SSHCC_VERIFY): the volunteer's compile ran and looked fine, but this machine's
  // compile of the same source gave other bytes. The build keeps this machine's object.
  'verify-mismatch': { job: 'compile-in-agent', host: 'unfit-for-compiler', hostFailure: true, text: "{host}'s object differed from this machine's (sampled verification)" },
  // Every slot of the volunteer is taken by its clients (or its owner is draining it): nothing is wrong
  // with it, so no backoff; only this job goes elsewhere, and the next job may find a slot there.
  'volunteer-busy': { job: 'next-host', host: 'skip-for-job', hostFailure: false, text: "{host}'s slots are all taken by its clients, or it is draining" },
};

/** Every member, for tables and checks. */
export const DEPARTURE_NAMES = Object.keys(DEPARTURES) as readonly Departure[];

export function isDeparture(name: string): name is Departure {
  return Object.prototype.hasOwnProperty.call(DEPARTURES, name);
}

const ATTEMPT_SET: ReadonlySet<string> = new Set(ATTEMPT_DEPARTURES);

export function isAttemptDeparture(name: string): name is AttemptDeparture {
  return ATTEMPT_SET.has(name);
}

/** A row's text with the volunteer named (`a volunteer` where none is known, as in the README). */
export function departureText(departure: Departure, host = 'a volunteer'): string {
  return DEPARTURES[departure].text.replace('{host}', host);
}
