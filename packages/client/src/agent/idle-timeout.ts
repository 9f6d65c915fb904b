import { SshccError } from '@sshcc/core';
import { DEFAULT_IDLE_TIMEOUT_MS } from './types';

/** `SSHCC_AGENT_IDLE`: seconds of idleness before the agent exits (0 = never); unset → 10 minutes. */
export function idleTimeoutFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.SSHCC_AGENT_IDLE;
  if (raw === undefined || raw.trim() === '') return DEFAULT_IDLE_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new SshccError('config', `SSHCC_AGENT_IDLE=${raw} is not a number of seconds`, { hint: 'e.g. SSHCC_AGENT_IDLE=600, or 0 for never' });
  }
  return Math.round(seconds * 1000);
}
