// A private sshcc agent for the security tests: its own SSHCC_DIR, host list, ssh_config and known_hosts,
// and an SSHCC_LOG with one line per compile, so a test can tell where each compile ran and why.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What `npm run build` installs as the `sshcc` command (the C shim, or its sh launcher). */
export const SSHCC = resolve(__dirname, '../../node_modules/.bin/sshcc');

export interface Compile {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One SSHCC_LOG line: `sshcc: <output>: compiled on <host> (<ms> ms)` or `...: compiled locally: <why>`. */
export interface JobLine {
  readonly output: string;
  readonly host: string | null;
  readonly why: string | null;
}

export class TestAgent {
  readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly dir: string,
    clientEnv: Readonly<Record<string, string>>,
    hosts: string,
  ) {
    this.env = {
      ...process.env,
      ...clientEnv,
      SSHCC_DIR: join(dir, 'agent'),
      SSHCC_HOSTS: hosts,
      SSHCC_LOG: join(dir, 'jobs.log'),
      SSHCC_AGENT_IDLE: '120',
      LANG: 'C',
      LC_ALL: 'C',
    };
    delete this.env.SSHCC_VERBOSE;
    delete this.env.SSHCC_SERVER_COMMAND;
  }

  /** `clientEnv`: SSHCC_SSH_CONFIG and SSHCC_KNOWN_HOSTS (testkit's makeClientConfig env); `hosts`: SSHCC_HOSTS. */
  static create(clientEnv: Readonly<Record<string, string>>, hosts: string): TestAgent {
    return new TestAgent(mkdtempSync(join(tmpdir(), 'sshcc-security-agent-')), clientEnv, hosts);
  }

  /** Runs `sshcc <argv>` in `cwd` (the agent starts on first use). */
  compile(argv: readonly string[], cwd: string): Promise<Compile> {
    return new Promise((done, fail) => {
      const child = spawn(SSHCC, [...argv], { cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  jobs(): JobLine[] {
    const file = this.env.SSHCC_LOG as string;
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const remote = /^sshcc: (.*): compiled on (\S+) \(\d+ ms\)$/.exec(line);
        if (remote) return { output: remote[1] as string, host: remote[2] as string, why: null };
        const local = /^sshcc: (.*?): compiled locally: (.*)$/.exec(line);
        if (local) return { output: local[1] as string, host: null, why: local[2] as string };
        throw new Error(`unexpected SSHCC_LOG line: ${line}`);
      });
  }

  agentLog(): string {
    const file = join(this.env.SSHCC_DIR as string, 'agent.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Stops the agent and anything still running with its SSHCC_DIR, then removes its files. */
  async stop(): Promise<void> {
    spawnSync(SSHCC, ['agent', 'stop'], { env: this.env, timeout: 10_000 });
    const marker = `SSHCC_DIR=${this.env.SSHCC_DIR as string}`;
    const deadline = Date.now() + 5000;
    for (let pids = withEnvironment(marker); pids.length > 0 && Date.now() < deadline; pids = withEnvironment(marker)) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Live processes whose environment holds `marker` (the agent runs detached, in a session of its own). */
function withEnvironment(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/stat`, 'latin1').includes(') Z ')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}
