import { formatError } from '@sshcc/core';
import { CompileRouter, openAgentCache, type AgentCache, type HandleCompile } from '../compile';
import { installOutputTemps, journalPath, OutputTemps, processOwner, sweepDeadOwners } from '../compile/output-temps';
import type { AgentPaths } from '../wire/agent-paths';
import { statsFileIn } from '../views/stats/stats-file';
import { localAgentPaths } from '../wire/local-agent-paths';
import { startAgentFeed } from './agent-feed';
import { fileLog } from './agent-log';
import { idleTimeoutFromEnv } from './idle-timeout';
import { entryReplaced } from './entry-replaced';
import { PathWatches } from '../compile/path-watches';
import { startAgent } from './start-agent';
import type { Agent } from './types';

/**
 * The agent process with everything it serves: compiles through the host list's volunteers, and the
 * event feed behind stats, mon and trace. Serves until idle, a stop request, or SIGTERM/SIGINT, then
 * removes its socket and pid file. Resolves with the exit code: 0, also when another agent already
 * serves. Both the detached agent (main.ts) and `sshcc agent run` (foreground: logs to stderr) are this.
 */
export async function runAgent(options: { readonly foreground?: boolean } = {}): Promise<number> {
  const paths = localAgentPaths(process.env);
  const log = options.foreground ? (line: string) => void process.stderr.write(`sshcc agent: ${line}\n`) : fileLog(paths.logFile);
  // Handlers go in before the pid file is written: whoever reads it may signal at once, and a SIGTERM
  // with no handler yet would kill the agent before it removes its socket.
  let agent: Agent | null = null;
  let signalled = false;
  const onSignal = (): void => {
    signalled = true;
    void agent?.close('signal');
  };
  for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, onSignal);
  const temps = installTempJournal(paths);
  const feed = startAgentFeed({ statsFile: statsFileIn(paths.configDir), log });
  const cache = agentCache(log);
  const router = new CompileRouter(log, feed.feed, cache);
  const watches = new PathWatches();
  try {
    const handleCompile: HandleCompile = (request, context) => router.handle(request, context);
    const entry = process.argv[1];
    const superseded = entry === undefined ? undefined : entryReplaced(entry, undefined, watches);
    const result = await startAgent({ paths, idleTimeoutMs: idleTimeoutFromEnv(process.env), handleCompile, reports: feed.reports, log, superseded });
    if (!result.started) {
      for (const name of ['SIGTERM', 'SIGINT'] as const) process.off(name, onSignal);
      if (options.foreground) log(`another agent already serves ${paths.socket}`);
      return 0;
    }
    agent = result.agent;
    if (signalled) void agent.close('signal');
    // Only now, as the one agent of this folder: not awaited, the first compiles need not wait for it.
    void sweepTemps(paths, log);
    process.on('SIGHUP', () => undefined); // a closed terminal is no reason to drop every build's agent
    await agent.stopped;
    return 0;
  } finally {
    watches.close();
    await router.close();
    cache?.close();
    await feed.close();
    temps.close();
  }
}

/** `<agent folder>/agent.temps-<pid>-<start>`: the journal of the folders where an agent writes temps. */
function tempJournals(paths: AgentPaths): string {
  return paths.pidFile.replace(/\.pid$/, '.temps');
}

/** This agent's temps beside the targets, named by it and journaled, so that the next agent can sweep them. */
function installTempJournal(paths: AgentPaths): OutputTemps {
  const owner = processOwner() ?? { pid: process.pid, start: '0' };
  const temps = new OutputTemps(owner, journalPath(tempJournals(paths), owner));
  installOutputTemps(temps);
  return temps;
}

/** Removes the temps of agents that were killed between writing an output and renaming it into place. */
async function sweepTemps(paths: AgentPaths, log: (line: string) => void): Promise<void> {
  let sweep;
  try {
    sweep = await sweepDeadOwners(tempJournals(paths));
  } catch (err) {
    log(`cannot sweep dead agents' temp files: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  if (sweep.removed.length > 0) log(`removed ${sweep.removed.length} temp file(s) that an agent killed mid-write left: ${sweep.removed.join(', ')}`);
  for (const folder of sweep.unreadable) log(`cannot look for a dead agent's temp files in ${folder}`);
}

/**
 * The user's result cache; a bad SSHCC_CACHE_SIZE costs the cache (one log line), never the compiles.
 * SSHCC_CACHE is a per-build switch, read from each compile's own environment: the agent's is only that
 * of whichever build happened to start it, and must not turn the cache off for every build after.
 */
function agentCache(log: (line: string) => void): AgentCache | null {
  const { SSHCC_CACHE: _perBuild, ...env } = process.env;
  try {
    return openAgentCache(env);
  } catch (err) {
    log(`result cache off: ${formatError(err).replace(/^sshcc: /, '')}`);
    return null;
  }
}
