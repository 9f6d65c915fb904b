// Every failure of sshcc's own has one row here: its exit code, what the agent does about it, and the
// `<what>` part of the one-line message. A compiler that ran returns its own exit code instead; a
// failed compile is a result, not an sshcc error.

/** What the agent does when a remote attempt fails this way. */
export type FailurePolicy =
  | 'fail' // nothing to retry: report it (bad command line, bad config)
  | 'retry-elsewhere' // this host failed the job; back it off and run the job on another host or locally
  | 'avoid-host-for-compiler' // this host can't run this compiler; don't send it this compiler again
  | 'local'; // no remote option left: compile on this machine

export interface ExitCodeRow {
  readonly exitCode: number;
  readonly policy: FailurePolicy;
  readonly what: string;
}

export const EXIT_CODES = {
  usage: { exitCode: 100, policy: 'fail', what: 'usage' },
  'bad-host-spec': { exitCode: 101, policy: 'fail', what: 'host list' },
  config: { exitCode: 102, policy: 'fail', what: 'config' },
  'input-unreadable': { exitCode: 103, policy: 'fail', what: 'input' },
  'compiler-not-found': { exitCode: 104, policy: 'fail', what: 'compiler' },
  'agent-unavailable': { exitCode: 105, policy: 'local', what: 'agent' },
  'no-hosts': { exitCode: 106, policy: 'local', what: 'hosts' },
  connect: { exitCode: 110, policy: 'retry-elsewhere', what: 'connect' },
  auth: { exitCode: 111, policy: 'retry-elsewhere', what: 'auth' },
  'host-key': { exitCode: 112, policy: 'retry-elsewhere', what: 'host key' },
  protocol: { exitCode: 113, policy: 'retry-elsewhere', what: 'protocol' },
  timeout: { exitCode: 114, policy: 'retry-elsewhere', what: 'timeout' },
  'remote-crash': { exitCode: 115, policy: 'retry-elsewhere', what: 'remote' },
  'remote-failed': { exitCode: 116, policy: 'retry-elsewhere', what: 'remote' },
  'compiler-missing': { exitCode: 117, policy: 'avoid-host-for-compiler', what: 'compiler missing' },
  'compiler-mismatch': { exitCode: 118, policy: 'avoid-host-for-compiler', what: 'compiler mismatch' },
  'job-refused': { exitCode: 119, policy: 'local', what: 'refused' },
  'output-write': { exitCode: 120, policy: 'fail', what: 'output' },
  'limit-exceeded': { exitCode: 121, policy: 'retry-elsewhere', what: 'limit' },
  internal: { exitCode: 125, policy: 'fail', what: 'internal error' },
} as const satisfies Record<string, ExitCodeRow>;

export type SshccErrorCode = keyof typeof EXIT_CODES;

export function exitCodeFor(code: SshccErrorCode): number {
  return EXIT_CODES[code].exitCode;
}

export function policyFor(code: SshccErrorCode): FailurePolicy {
  return EXIT_CODES[code].policy;
}
