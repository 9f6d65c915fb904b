// A build session like build-session.ts, with one volunteer behind an emulated WAN link (testkit's
// startWanVolunteer): its own TMPDIR for job dirs, a client ssh_config/known_hosts naming the link's
// address, a private SSHCC_DIR for the agent and an SSHCC_LOG with one line per compile.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClientConfig, startWanVolunteer, type ClientConfig, type WanVolunteer, type WanVolunteerOptions } from '@sshcc/testkit';
import { SSHCC } from './build-project';
import { killProcesses, processesWithEnvironment, waitFor } from './build-processes';
import type { JobLine, RunResult, Running } from './build-session';

const JOBS_PER_HOST = 4;

export class WanSession {
  private constructor(
    readonly dir: string,
    readonly wan: WanVolunteer,
    readonly volunteerTmp: string,
    readonly config: ClientConfig,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(options: WanVolunteerOptions): Promise<WanSession> {
    const dir = mkdtempSync(join(tmpdir(), 'sshcc-wan-e2e-'));
    const volunteerTmp = join(dir, 'volunteer-tmp');
    mkdirSync(volunteerTmp);
    let wan: WanVolunteer | undefined;
    try {
      wan = await startWanVolunteer({ maxSessions: 10, ...options, env: { TMPDIR: volunteerTmp, ...options.env } });
      const config = await makeClientConfig([wan.volunteer]);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...config.env,
        SSHCC_DIR: join(dir, 'agent'),
        SSHCC_HOSTS: `${wan.volunteer.alias}/${JOBS_PER_HOST}`,
        SSHCC_LOG: join(dir, 'jobs.log'),
        SSHCC_AGENT_IDLE: '120',
        LANG: 'C',
        LC_ALL: 'C',
      };
      delete env.SSHCC_VERBOSE;
      delete env.MAKEFLAGS;
      delete env.MFLAGS;
      return new WanSession(dir, wan, volunteerTmp, config, env);
    } catch (err) {
      await wan?.stop();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The host spec SSHCC_HOSTS gives the volunteer, as the job log names it. */
  get host(): string {
    return this.env.SSHCC_HOSTS as string;
  }

  /** Starts the agent with `env` (the session's, or one with fault settings) before the build, as build-session does. */
  async startAgent(env: NodeJS.ProcessEnv = this.env): Promise<void> {
    spawnSync(SSHCC, ['agent', 'start'], { env, encoding: 'utf8', timeout: 30_000 });
    const up = await waitFor(() => spawnSync(SSHCC, ['agent', 'status'], { env, encoding: 'utf8' }).status === 0, 30_000, 100);
    if (!up) throw new Error(`the agent did not start: ${this.agentLog()}`);
  }

  compileJobs(): JobLine[] {
    const file = this.env.SSHCC_LOG as string;
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map(parseJobLine)
      .filter((job) => job.output.endsWith('.o'));
  }

  agentLog(): string {
    const file = join(this.env.SSHCC_DIR as string, 'agent.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  start(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Running {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: options.cwd, env: options.env ?? this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const done = new Promise<RunResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
    });
    return { child, done };
  }

  /** Stops the agent, kills what it or a build left, stops the WAN volunteer (link and namespace too), removes files. */
  async stop(): Promise<void> {
    spawnSync(SSHCC, ['agent', 'stop'], { env: this.env, encoding: 'utf8', timeout: 10_000 });
    await killProcesses(() => processesWithEnvironment(`SSHCC_DIR=${this.env.SSHCC_DIR as string}`));
    await this.wan.stop();
    await this.config.remove();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function parseJobLine(line: string): JobLine {
  const remote = /^sshcc: (.*): compiled on (\S+) \(\d+ ms\)$/.exec(line);
  if (remote) return { output: remote[1] as string, host: remote[2] as string, why: null };
  const local = /^sshcc: (.*?): compiled locally: (.*)$/.exec(line);
  if (local) return { output: local[1] as string, host: null, why: local[2] as string };
  throw new Error(`unexpected SSHCC_LOG line: ${line}`);
}
