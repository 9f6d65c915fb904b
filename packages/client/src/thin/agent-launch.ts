import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { AGENT_ENTRY_VAR, NODE_VAR } from './handover-env';

/** How to start the agent: `node <entry>`, detached. */
export interface AgentLaunch {
  readonly node: string;
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
}

/** The default launch: the agent entry beside the thin client bundle (dist/agent/main.js), this node. */
export function defaultAgentLaunch(env: Readonly<Record<string, string>>, bundleDir: string = __dirname): AgentLaunch {
  return {
    node: env[NODE_VAR] || process.execPath,
    entry: env[AGENT_ENTRY_VAR] || join(bundleDir, 'agent', 'main.js'),
    env,
  };
}

/**
 * Starts the agent in its own session with no stdio, so it outlives this client and make's job
 * control never sees it. The caller keeps the handle only to notice an early exit.
 */
export function spawnAgent(launch: AgentLaunch): ChildProcess {
  const child = spawn(launch.node, [launch.entry], { detached: true, stdio: 'ignore', cwd: '/', env: launch.env });
  child.unref();
  return child;
}
