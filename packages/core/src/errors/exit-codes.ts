// Every failure of sshcc's own has one row here: its exit code and the `<what>` part of the one-line
// message. What the agent does about one met on the way to a volunteer is its row in
// ../policy/departures.ts. A compiler that ran returns its own exit code instead; a failed compile is a
// result, not an sshcc error.

export interface ExitCodeRow {
  readonly exitCode: number;
  readonly what: string;
}

export const EXIT_CODES = {
  usage: { exitCode: 100, what: 'usage' },
  'bad-host-spec': { exitCode: 101, what: 'host list' },
  config: { exitCode: 102, what: 'config' },
  'input-unreadable': { exitCode: 103, what: 'input' },
  'compiler-not-found': { exitCode: 104, what: 'compiler' },
  'agent-unavailable': { exitCode: 105, what: 'agent' },
  'no-hosts': { exitCode: 106, what: 'hosts' },
  /** `sshcc doctor` found something that keeps compiles off the volunteers or slows them (it printed each). */
  'problems-found': { exitCode: 107, what: 'doctor' },
  connect: { exitCode: 110, what: 'connect' },
  auth: { exitCode: 111, what: 'auth' },
  'host-key': { exitCode: 112, what: 'host key' },
  protocol: { exitCode: 113, what: 'protocol' },
  timeout: { exitCode: 114, what: 'timeout' },
  'remote-crash': { exitCode: 115, what: 'remote' },
  'remote-failed': { exitCode: 116, what: 'remote' },
  'compiler-missing': { exitCode: 117, what: 'compiler missing' },
  'compiler-mismatch': { exitCode: 118, what: 'compiler mismatch' },
  'job-refused': { exitCode: 119, what: 'refused' },
  'output-write': { exitCode: 120, what: 'output' },
  'limit-exceeded': { exitCode: 121, what: 'limit' },
  internal: { exitCode: 125, what: 'internal error' },
} as const satisfies Record<string, ExitCodeRow>;

export type SshccErrorCode = keyof typeof EXIT_CODES;

export function isSshccErrorCode(name: string): name is SshccErrorCode {
  return Object.prototype.hasOwnProperty.call(EXIT_CODES, name);
}

export function exitCodeFor(code: SshccErrorCode): number {
  return EXIT_CODES[code].exitCode;
}
