import { formatError } from '@sshcc/core';
import { CompileRouter, openAgentCache, type AgentCache } from '../compile';
import { statsFileIn } from '../views/stats/stats-file';
import { localAgentPaths } from '../wire/local-agent-paths';
import { startAgentFeed } from './agent-feed';
import { fileLog } from './agent-log';
import { runAgentProcess } from './run-agent-process';
import type { HandleCompile } from '../compile/handle-compile';

/**
 * The agent with everything it serves: compiles through the host list's volunteers, and the event
 * feed behind stats, mon and trace. Both the detached agent and `sshcc agent run` are this.
 */
export async function runCompileAgent(options: { readonly foreground?: boolean } = {}): Promise<number> {
  const paths = localAgentPaths(process.env);
  const log = options.foreground ? (line: string) => void process.stderr.write(`sshcc agent: ${line}\n`) : fileLog(paths.logFile);
  const feed = startAgentFeed({ statsFile: statsFileIn(paths.configDir), log });
  const cache = agentCache(log);
  const router = new CompileRouter(log, feed.feed, cache);
  try {
    const handleCompile: HandleCompile = (request, context) => router.handle(request, context);
    return await runAgentProcess({ handleCompile, reports: feed.reports, log, foreground: options.foreground === true });
  } finally {
    await router.close();
    cache?.close();
    await feed.close();
  }
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
