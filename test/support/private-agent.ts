// A test's own sshcc agent: the environment that gives it a private SSHCC_DIR, host list and SSHCC_LOG,
// and the way to end it with everything it left running. The agent runs detached in a session of its own,
// so it is found by the SSHCC_DIR in its environment.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killProcesses, processesWithEnvironment } from './build-processes';
import { SSHCC } from './build-project';

/**
 * This process's environment with the agent's files under `dir`, `clientEnv` (testkit's makeClientConfig
 * env: SSHCC_SSH_CONFIG, SSHCC_KNOWN_HOSTS) and `hosts` as SSHCC_HOSTS; without the settings a
 * developer's shell may carry that would change what the tests see.
 */
export function agentEnvironment(dir: string, clientEnv: Readonly<Record<string, string>>, hosts: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...clientEnv,
    SSHCC_DIR: join(dir, 'agent'),
    SSHCC_HOSTS: hosts,
    SSHCC_LOG: join(dir, 'jobs.log'),
    // The agent's result cache is per user: one per test, or a build from an earlier test (or run) answers from it.
    XDG_CACHE_HOME: join(dir, 'cache'),
    // A forgotten agent goes away by itself; stopping it is still the rule.
    SSHCC_AGENT_IDLE: '120',
    LANG: 'C',
    LC_ALL: 'C',
  };
  delete env.SSHCC_VERBOSE;
  delete env.SSHCC_SERVER_COMMAND;
  delete env.MAKEFLAGS;
  delete env.MFLAGS;
  return env;
}

/** The agent's log so far ('' before it starts). */
export function agentLog(env: NodeJS.ProcessEnv): string {
  const file = join(env.SSHCC_DIR as string, 'agent.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Stops the agent of `env`, then kills whatever still runs with its SSHCC_DIR (it, or clients it left). */
export async function stopAgent(env: NodeJS.ProcessEnv): Promise<void> {
  spawnSync(SSHCC, ['agent', 'stop'], { env, encoding: 'utf8', timeout: 10_000 });
  await killProcesses(() => processesWithEnvironment(`SSHCC_DIR=${env.SSHCC_DIR as string}`));
}
