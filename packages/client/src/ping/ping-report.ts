import type { ClockSkew, SshccErrorCode } from '@sshcc/core';
import type { Capacity } from '@sshcc/protocol';
import type { ServerMode } from '../hosts';

// What `sshcc ping --json` prints: one report per remote host. This shape is a public interface
// (scripts read it); add fields, never rename them.

/** How one compiler name the volunteer offers compares with the same name here. */
export type CompilerStatus =
  | 'match' // same fingerprint: a probe compile ran there and succeeded
  | 'mismatch' // a different compiler under that name there: jobs for it stay off this host
  | 'not-here' // the volunteer has it, this machine does not (nothing to compare)
  | 'missing-there' // the volunteer listed it but could not find it for a job
  | 'refused' // the volunteer's gate refused the probe
  | 'failed'; // the probe did not compile (see detail)

export interface CompilerCheck {
  readonly name: string;
  readonly status: CompilerStatus;
  /** This machine's compiler by that name; null when there is none. */
  readonly here: { readonly path: string; readonly version: string; readonly target: string; readonly driver: string } | null;
  /** Why, for every status but 'match'. */
  readonly detail: string | null;
}

export interface PingServer {
  readonly mode: ServerMode;
  /** `subsystem sshcc`, or the command exec ran. */
  readonly command: string;
  /** The server's own name and version, e.g. `sshcc-server/0.1.0`. */
  readonly version: string;
  /** The protocol version this client and the server agreed on. */
  readonly protocol: number;
  readonly protocols: readonly number[];
  readonly compression: string;
  readonly cpus: number;
  /** 1, 5 and 15 minute load averages. */
  readonly load: readonly number[];
  /** The volunteer's slots, every client's jobs (its hello); null: an older server, or its coordinator was unreachable. */
  readonly capacity: Capacity | null;
  /** The server's `process.arch` (`x64`, `arm64`); null when it does not say (an older server). */
  readonly arch: string | null;
  /** The toolchain packs it holds; null when it takes none (an older server, or `toolchains.enabled` false). */
  readonly packs: readonly PackHeld[] | null;
  /** Why the agent will push no toolchain pack there (another arch, no pushes taken); null when it would push one. */
  readonly noPush: string | null;
}

/** A toolchain pack a volunteer holds. */
export interface PackHeld {
  readonly id: string;
  /** The compiler it is (`gcc (Debian 12.2.0-14) 12.2.0`), from this machine's pack cache; null when not there. */
  readonly compiler: string | null;
}

export interface PingTimings {
  /** TCP connect, ssh handshake and authentication. */
  readonly connectMs: number | null;
  /** Opening the channel, starting sshcc-server and its hello. */
  readonly startMs: number | null;
  /** One job request and its answer on the open channel, no compile (the per-job cost of the link). */
  readonly rttMs: number | null;
}

export interface PingFailure {
  readonly code: SshccErrorCode;
  readonly exitCode: number;
  /** The one line sshcc prints for it: `sshcc: <what>: <why>`. */
  readonly message: string;
}

export interface PingReport {
  /** The host spec as the host list wrote it. */
  readonly host: string;
  /** `user@hostname:port` connected to; null when no connection was made. */
  readonly destination: string | null;
  /** A connection, a server and at least one compiler that matches this machine's. */
  readonly usable: boolean;
  /** null: not tried (the failure came first). */
  readonly reachable: boolean | null;
  readonly hostKeyOk: boolean | null;
  readonly authOk: boolean | null;
  readonly server: PingServer | null;
  readonly compilers: readonly CompilerCheck[];
  readonly timings: PingTimings;
  /**
   * The volunteer's clock against this one (ms, positive when it is ahead), from its hello's time placed in
   * the middle of the round trip from the connection being up to the hello's arrival; null when not
   * measured (no server, or one too old to send its time).
   */
  readonly clock: ClockSkew | null;
  /** Why the host is unusable; null when it is usable. */
  readonly error: PingFailure | null;
  /** Things worth knowing that did not stop it (a skipped key, a refused channel). */
  readonly notes: readonly string[];
}
