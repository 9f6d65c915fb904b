// A private sshcc agent for the security tests: its own SSHCC_DIR, host list, ssh_config and known_hosts,
// and an SSHCC_LOG with one line per compile, so a test can tell where each compile ran and why.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSHCC } from './build-project';
import { runCaptured, type CapturedRun } from './captured-run';
import { readJobLog, type JobLine } from './job-log';
import { agentEnvironment, agentLog, stopAgent } from './private-agent';

export class TestAgent {
  readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly dir: string,
    clientEnv: Readonly<Record<string, string>>,
    hosts: string,
  ) {
    this.env = agentEnvironment(dir, clientEnv, hosts);
  }

  /** `clientEnv`: SSHCC_SSH_CONFIG and SSHCC_KNOWN_HOSTS (testkit's makeClientConfig env); `hosts`: SSHCC_HOSTS. */
  static create(clientEnv: Readonly<Record<string, string>>, hosts: string): TestAgent {
    return new TestAgent(mkdtempSync(join(tmpdir(), 'sshcc-security-agent-')), clientEnv, hosts);
  }

  /** Runs `sshcc <argv>` in `cwd` (the agent starts on first use). */
  compile(argv: readonly string[], cwd: string): Promise<CapturedRun> {
    return runCaptured([SSHCC, ...argv], { cwd, env: this.env });
  }

  jobs(): JobLine[] {
    return readJobLog(this.env.SSHCC_LOG as string);
  }

  agentLog(): string {
    return agentLog(this.env);
  }

  /** Stops the agent and anything still running with its SSHCC_DIR, then removes its files. */
  async stop(): Promise<void> {
    await stopAgent(this.env);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
