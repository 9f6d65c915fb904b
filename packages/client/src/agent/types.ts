import type { HandleCompile } from '../compile/handle-compile';
import type { AgentPaths } from '../wire/agent-paths';
import type { AgentStatus, ReportValue } from '../wire/messages';

export type { AgentPaths } from '../wire/agent-paths';

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
  /**
   * Asked at each connection: why this agent should give way to the one its client will start (its own
   * files were replaced by an upgrade), or null. Default: never.
   */
  readonly superseded?: () => string | null;
}

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

/** 'superseded': it gave way to a newer client or install (AgentOptions.superseded). */
export type AgentStopReason = 'idle' | 'stop-request' | 'signal' | 'closed' | 'superseded';

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
