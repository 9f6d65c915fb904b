import { readStatsFile, statsFileIn } from '../views/stats';
import { localAgentPaths } from '../wire/local-agent-paths';

/** Where the compiles counted so far ran, from the file the agent keeps its counters in. */
export interface CompileHistory {
  readonly file: string;
  /** When counting started (the last `sshcc stats -z`) and when a job was last counted, ISO times. */
  readonly since: string;
  readonly updated: string;
  readonly total: number;
  readonly remote: number;
  readonly local: number;
  /** Jobs run here by the reason that kept them here (a key of the failure table), most first. */
  readonly localByReason: readonly { readonly reason: string; readonly jobs: number }[];
  /** Why the file could not be read; null when it was (or is not there yet). */
  readonly unreadable: string | null;
}

/**
 * What the builds so far met, as the agent counted it: the question `doctor` answers, seen from the other
 * side. Read from `$SSHCC_DIR/stats.json` (the agent writes it shortly after each job), so no agent is
 * started or asked; history, not a verdict, so it is shown and never counted as a problem.
 */
export function readCompileHistory(env: NodeJS.ProcessEnv): CompileHistory {
  const file = statsFileIn(localAgentPaths(env).configDir);
  const { stats, broken } = readStatsFile(file, Date.now());
  const { jobs } = stats;
  return {
    file,
    since: stats.since,
    updated: stats.updated,
    total: jobs.total,
    remote: jobs.remote,
    local: jobs.local,
    localByReason: Object.entries(jobs.localByReason)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([reason, count]) => ({ reason, jobs: count })),
    unreadable: broken,
  };
}
