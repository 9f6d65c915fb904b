import type { FrameStream } from '@sshcc/protocol';

// The machine sshcc-server is installed on, as the few operations an install needs. The install
// itself (install-server.ts) is one algorithm over this, for a volunteer over ssh and for --local.

export interface RunResult {
  /** null when killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How the bundle got there. */
export type UploadMethod = 'sftp' | 'exec' | 'local';

export interface StartedServer {
  readonly stream: FrameStream;
  close(): void;
}

export interface InstallTarget {
  /** For messages: `user@host:port`, or `this machine`. */
  readonly where: string;
  /**
   * Runs a POSIX sh script (`sh -c SCRIPT sh ARGS...`), with `input` on its stdin. Scripts are one line:
   * a remote login shell (csh among them) reads the command line first.
   */
  run(script: string, args?: readonly string[], input?: Buffer): Promise<RunResult>;
  /** Writes a file at an absolute path with `mode` (its folder exists); says how. */
  writeFile(path: string, data: Buffer, mode: number): Promise<UploadMethod>;
  /** Starts `command` as the agent would exec it (shell text) and gives its stdio for the protocol. */
  startServer(command: string): Promise<StartedServer>;
  close(): void;
}

/** Output kept from one command; an install's commands print a few lines. */
export const MAX_RUN_OUTPUT_BYTES = 1024 * 1024;

/** Appends a chunk to `held` unless that would pass the cap. */
export function keepOutput(held: Buffer[], chunk: Buffer): void {
  const size = held.reduce((sum, b) => sum + b.length, 0);
  if (size < MAX_RUN_OUTPUT_BYTES) held.push(chunk.subarray(0, MAX_RUN_OUTPUT_BYTES - size));
}
