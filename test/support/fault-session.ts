// What the reliability tests add to a BuildSession: ssh settings that notice a dead or hung volunteer
// in seconds (ServerAliveInterval, ConnectTimeout, as a user would set them in ~/.ssh/config) and a short
// first backoff (SSHCC_BACKOFF_MS), so a fault, its detection and the host's return all fit in one build;
// and ways to read what the agent saw (`sshcc stats --json`, its pid, its log).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SSHCC } from './build-project';
import type { StatsData } from '../../packages/client/src/views/stats/stats-data';
import type { BuildSession } from './build-session';

/**
 * A hung peer is dropped after ~3 unanswered keepalives 1 s apart; a silent sshd fails to connect in 5 s
 * (less makes a healthy volunteer fail its probes on a heavily loaded machine).
 */
export const SHORT_SSH_SETTINGS = ['Host *', '  ServerAliveInterval 1', '  ServerAliveCountMax 3', '  ConnectTimeout 5', ''].join('\n');
/** The first wait after a host fails (the default is 5 s, doubling). */
export const SHORT_BACKOFF_MS = 1000;

/**
 * Appends SHORT_SSH_SETTINGS to the session's ssh_config (after the Host blocks, which set none of
 * them, so they apply to every volunteer) and returns the session's environment with the short backoff.
 */
export function faultEnvironment(session: BuildSession, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const config = session.config;
  if (config === null) throw new Error('a fault session needs volunteers');
  shortenSshSettings(config.sshConfigFile);
  return { ...session.env, SSHCC_BACKOFF_MS: String(SHORT_BACKOFF_MS), ...extra };
}

/** Appends SHORT_SSH_SETTINGS to an ssh_config file (once). */
export function shortenSshSettings(sshConfigFile: string): void {
  if (!readFileSync(sshConfigFile, 'utf8').includes(SHORT_SSH_SETTINGS)) appendFileSync(sshConfigFile, `\n${SHORT_SSH_SETTINGS}`);
}

/** `sshcc stats --json`, as the agent keeps it. */
export type AgentStats = StatsData;

export function agentStats(env: NodeJS.ProcessEnv): AgentStats {
  // No wall-clock limit of the test's own: the CLI gives up on a silent agent by itself (CONTROL_TIMEOUT_MS),
  // and on a loaded machine starting the CLI alone took longer than the 10 s this once allowed.
  const run = spawnSync(SSHCC, ['stats', '--json'], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sshcc stats failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as AgentStats;
}

/** Failed attempts on `host`, all kinds together. */
export function failuresOn(stats: AgentStats, host: string): number {
  return Object.values(stats.hosts[host]?.failures ?? {}).reduce((sum, n) => sum + n, 0);
}

/** The running agent's pid from its pid file; null when there is none or it is gone. */
export function agentPid(env: NodeJS.ProcessEnv): number | null {
  const file = join(env.SSHCC_DIR as string, 'agent.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !existsSync(`/proc/${pid}`)) return null;
  return pid;
}

/** The agent log's lines saying `host` was backed off. */
export function backoffLines(session: BuildSession, host: string): string[] {
  return session
    .agentLog()
    .split('\n')
    .filter((line) => line.includes(`${host}: backed off for`));
}
