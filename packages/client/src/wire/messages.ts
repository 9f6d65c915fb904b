// What travels on the agent socket, as TypeScript sees it: the agent, the TS thin client and the
// CLI's agent requests share these; wire-format.ts lays them out in bytes (as the C shim does).
export type { CompileRequest } from './compile-request';

/** What the agent tells a client to do with one compile. */
export type CompileAnswer =
  /**
   * Run this argv here, with the client's own stdio (argv[0] is a path to exec). `stderr`, if any, is
   * written first (a verbose note on why the compile stays local).
   */
  | { readonly kind: 'exec'; readonly argv: readonly string[]; readonly stderr?: Buffer }
  /** The compile ran (remotely, or in the agent): print these bytes and exit like it. */
  | {
      readonly kind: 'result';
      /** 0..255. */
      readonly exitCode: number;
      /** Set when the compiler was killed by a signal (its number); the client then dies by it too. */
      readonly signal?: number;
      readonly stdout: Buffer;
      readonly stderr: Buffer;
    };

/** What a compiler (or preprocessor) run for a compile: the preprocessor in the client, a compiler in the agent did. */
export interface CapturedRun {
  /** null when killed by a signal. */
  readonly exitCode: number | null;
  /** Signal number when killed by one. */
  readonly signal: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /**
   * gcc's directives-only output that the client checked line by line against the files its markers
   * name (CLIENT_FRAME_KIND.checked): a volunteer rebuilding those files from it quotes what gcc here would.
   */
  readonly linesChecked?: true;
}

/**
 * Has the client run argv (argv[0] a path) with its own cwd, environment and umask. Output past
 * `maxOutputBytes` ends the run as failed (exit code and signal both null). Rejects when `signal` aborts.
 */
export type PreprocessInClient = (
  argv: readonly string[],
  options: {
    readonly maxOutputBytes: number;
    readonly signal: AbortSignal;
    /** Each piece of stdout as it arrives, so a job can be sent before the preprocessor ends. */
    readonly onStdout?: (chunk: Buffer) => void;
  },
) => Promise<CapturedRun>;

/** A JSON value as a report carries it. */
export type ReportValue = object | null;

/** What `sshcc agent status` shows. */
export interface AgentStatus {
  readonly pid: number;
  readonly socket: string;
  readonly dir: string;
  /** ISO time the agent started. */
  readonly startedAt: string;
  readonly uptimeMs: number;
  readonly jobsServed: number;
  readonly jobsActive: number;
  readonly connections: number;
  readonly idleTimeoutMs: number;
}
