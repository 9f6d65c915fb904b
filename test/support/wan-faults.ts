// The fault settings of fault-session.ts for a WanSession: short ssh keepalives in the client ssh_config
// and a short first backoff, and the agent's stats.
import { SHORT_BACKOFF_MS, shortenSshSettings } from './fault-session';

export { agentStats, failuresOn } from './fault-session';

/** Appends ServerAliveInterval 1 / CountMax 3 / ConnectTimeout 5 to `sshConfigFile`; returns env with the short backoff. */
export function faultEnvironmentFor(sshConfigFile: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  shortenSshSettings(sshConfigFile);
  return { ...env, SSHCC_BACKOFF_MS: String(SHORT_BACKOFF_MS) };
}
