import type { CapturedRun } from '../job/spawn-captured';
import type { AgentPaths } from '../thin/agent-paths';
import type { CompileRequest } from '../thin/compile-request';

export type { CompileRequest } from '../thin/compile-request';
export type { AgentPaths } from '../thin/agent-paths';

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

export interface CompileContext {
  /** Aborted when the client goes away (its socket closed: Ctrl-C, kill) or the agent stops. */
  readonly signal: AbortSignal;
  /** Runs the preprocessor in the client (version 2 clients); absent for older ones, which the agent preprocesses for. */
  readonly preprocess?: PreprocessInClient;
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

export type HandleCompile = (request: CompileRequest, context: CompileContext) => Promise<CompileAnswer>;

export interface AgentOptions {
  /** The agent's folder and files; default: the rule applied to this process (`$SSHCC_DIR`, `~/.sshcc`). */
  readonly paths?: AgentPaths;
  /** Like `$SSHCC_DIR`: the configured folder, when `paths` is not given. */
  readonly dir?: string;
  /** Exit after this long with no connection and no job. 0 = never. Default 10 minutes. */
  readonly idleTimeoutMs?: number;
  /** Default: exec the real compiler locally (defaultHandleCompile). */
  readonly handleCompile?: HandleCompile;
  /** One line per event worth a look (malformed requests, failed jobs). Default: nowhere. */
  readonly log?: (line: string) => void;
  /** Answers the CLI's stats, zero-stats, jobs and watch requests. Default: each answers `null`. */
  readonly reports?: AgentReports;
}

/** A JSON value as a report carries it. */
export type ReportValue = object | null;

/**
 * The agent's side of `sshcc stats`, `sshcc trace` and `sshcc mon`: what it has kept of its jobs.
 * The socket layer only encodes these as JSON; the feed (../events) decides what they hold.
 */
export interface AgentReports {
  stats(): ReportValue | Promise<ReportValue>;
  /** Zeroes the stats; returns them zeroed. */
  zeroStats(): ReportValue | Promise<ReportValue>;
  /** The recent finished jobs. */
  jobs(): ReportValue;
  /**
   * Starts a live feed: `send` gets a first message (the current state) and then one per batch of
   * events, each a JSON value. Returns the function that ends it.
   */
  watch(send: (message: ReportValue) => void): () => void;
}

export type AgentStopReason = 'idle' | 'stop-request' | 'signal' | 'closed';

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

export interface Agent {
  readonly paths: AgentPaths;
  status(): AgentStatus;
  /** Stops accepting, cancels running jobs, removes the socket and pid file. Idempotent. */
  close(reason?: AgentStopReason): Promise<void>;
  /** Settles once the agent has stopped, with why. */
  readonly stopped: Promise<AgentStopReason>;
}

export type StartAgentResult =
  | { readonly started: true; readonly agent: Agent }
  /** Another agent serves these paths (it holds the start-up lock, or answers on the socket). */
  | { readonly started: false; readonly reason: 'already-running' };

export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
