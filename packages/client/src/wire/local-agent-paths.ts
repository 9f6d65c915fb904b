import { statfsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { resolveAgentPaths, type AgentPaths } from './agent-paths';

/** The agent paths for this process: its environment, cwd, uid and home. */
export function localAgentPaths(env: Readonly<Record<string, string | undefined>> = process.env): AgentPaths {
  return resolveAgentPaths({
    env,
    cwd: process.cwd(),
    uid: process.getuid?.() ?? 0,
    homedir: env.HOME || homedir(), // libuv's rule, and the shim's: $HOME, else the passwd entry
    fsType: nearestFsType,
  });
}

/** statfs of the folder, or of its nearest existing ancestor (the agent may not have made it yet). */
function nearestFsType(path: string): number | undefined {
  for (let current = path; ; current = dirname(current)) {
    try {
      return statfsSync(current).type;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || current === '/') return undefined;
    }
  }
}
