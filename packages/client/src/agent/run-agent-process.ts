import { localAgentPaths } from '../wire/local-agent-paths';
import { fileLog } from './agent-log';
import { idleTimeoutFromEnv } from './idle-timeout';
import { startAgent } from './start-agent';
import type { Agent, AgentReports } from './types';
import type { HandleCompile } from '../compile/handle-compile';

export interface AgentProcessOptions {
  /** Log to stderr instead of the agent's log file (`sshcc agent run`). */
  readonly foreground?: boolean;
  readonly handleCompile?: HandleCompile;
  readonly reports?: AgentReports;
  /** Where the agent's one-line notes go; default: its log file (stderr with `foreground`). */
  readonly log?: (line: string) => void;
}

/**
 * The agent as a process: serves until idle, a stop request, or SIGTERM/SIGINT, then removes its
 * socket and pid file. Resolves with the exit code; 0 also when another agent already serves.
 */
export async function runAgentProcess(options: AgentProcessOptions = {}): Promise<number> {
  const paths = localAgentPaths(process.env);
  const log = options.log ?? (options.foreground ? (line: string) => process.stderr.write(`sshcc agent: ${line}\n`) : fileLog(paths.logFile));
  // Handlers go in before the pid file is written: whoever reads it may signal at once, and a SIGTERM
  // with no handler yet would kill the agent before it removes its socket.
  let agent: Agent | null = null;
  let signalled = false;
  const onSignal = (): void => {
    signalled = true;
    void agent?.close('signal');
  };
  for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, onSignal);
  const result = await startAgent({
    paths,
    idleTimeoutMs: idleTimeoutFromEnv(process.env),
    ...(options.handleCompile ? { handleCompile: options.handleCompile } : {}),
    ...(options.reports ? { reports: options.reports } : {}),
    log,
  });
  if (!result.started) {
    for (const name of ['SIGTERM', 'SIGINT'] as const) process.off(name, onSignal);
    if (options.foreground) log(`another agent already serves ${paths.socket}`);
    return 0;
  }
  agent = result.agent;
  if (signalled) void agent.close('signal');
  process.on('SIGHUP', () => undefined); // a closed terminal is no reason to drop every build's agent
  await agent.stopped;
  return 0;
}
