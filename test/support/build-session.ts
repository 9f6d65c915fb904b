// One end-to-end build setting: real sshd volunteers (each with its own TMPDIR, where the server makes
// its job dirs), a client ssh_config/known_hosts for them, a private SSHCC_DIR for the agent, and an
// SSHCC_LOG that gets one line per compile. stop() ends the agent and every process it left behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClientConfig, startVolunteers, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { SSHCC } from './build-project';
import { killProcesses, processesWithEnvironment, waitFor } from './build-processes';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<RunResult>;
}

/** One line of SSHCC_LOG: where a compile ran. */
export interface JobLine {
  readonly output: string;
  /** The host spec it compiled on; null when it compiled locally. */
  readonly host: string | null;
  /** Why it compiled locally. */
  readonly why: string | null;
}

export interface BuildSessionOptions {
  readonly volunteers: number;
  /** Jobs per volunteer in SSHCC_HOSTS. */
  readonly slots?: number;
}

export class BuildSession {
  private constructor(
    readonly dir: string,
    readonly volunteers: Volunteer[],
    readonly volunteerTmp: string[],
    readonly config: ClientConfig | null,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(options: BuildSessionOptions): Promise<BuildSession> {
    const dir = mkdtempSync(join(tmpdir(), 'sshcc-e2e-'));
    const volunteerTmp = Array.from({ length: options.volunteers }, (_, i) => join(dir, `volunteer-${i}-tmp`));
    for (const path of volunteerTmp) mkdirSync(path);
    // startVolunteers gives every volunteer the same options, so each is started alone for its own TMPDIR.
    const volunteers = (await Promise.all(volunteerTmp.map((tmp) => startVolunteers(1, { maxSessions: 10, env: { TMPDIR: tmp } })))).flat();
    const config = volunteers.length > 0 ? await makeClientConfig(volunteers) : null;
    const slots = options.slots ?? 4;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(config?.env ?? {}),
      SSHCC_DIR: join(dir, 'agent'),
      SSHCC_HOSTS: volunteers.map((v) => `${v.alias}/${slots}`).join(' '),
      SSHCC_LOG: join(dir, 'jobs.log'),
      // A forgotten agent goes away by itself; stop() is still the rule.
      SSHCC_AGENT_IDLE: '120',
      LANG: 'C',
      LC_ALL: 'C',
    };
    delete env.SSHCC_VERBOSE;
    delete env.MAKEFLAGS;
    delete env.MFLAGS;
    const session = new BuildSession(dir, volunteers, volunteerTmp, config, env);
    await session.startAgent();
    return session;
  }

  /**
   * Starts the agent before the build. A client waits 3 s for an agent it starts and then compiles
   * locally (by design: the build goes on); on a loaded 2-core machine Node's start-up alone can take
   * that long, and the builds here are about where compiles go, so none may race the agent's start.
   */
  async startAgent(): Promise<void> {
    spawnSync(SSHCC, ['agent', 'start'], { env: this.env, encoding: 'utf8', timeout: 30_000 });
    const up = await waitFor(() => this.agentStatus().code === 0, 30_000, 100);
    if (!up) throw new Error(`the agent did not start: ${this.agentLog()}`);
  }

  /** The host spec SSHCC_HOSTS gives volunteer i, as the job log names it. */
  hostOf(i: number): string {
    return (this.env.SSHCC_HOSTS as string).split(' ')[i] as string;
  }

  jobs(): JobLine[] {
    const file = this.env.SSHCC_LOG as string;
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map(parseJobLine);
  }

  /** Jobs that compiled something (not links, which always run here). */
  compileJobs(): JobLine[] {
    return this.jobs().filter((job) => job.output.endsWith('.o'));
  }

  agentLog(): string {
    const file = join(this.env.SSHCC_DIR as string, 'agent.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Job dirs the servers still hold in their TMPDIRs. */
  volunteerLeftovers(): string[] {
    return this.volunteerTmp.flatMap((tmp) => readdirSync(tmp).map((name) => join(tmp, name)));
  }

  start(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Running {
    // Its own process group, so a test can interrupt the whole build as a terminal's Ctrl-C would.
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

  run(argv: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
    return this.start(argv, options).done;
  }

  /** `sshcc agent status` exit code and output. */
  agentStatus(): RunResult {
    const result = spawnSync(SSHCC, ['agent', 'status'], { env: this.env, encoding: 'utf8' });
    return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
  }

  /** Stops the agent, kills whatever it or a build left running, and removes the session's files. */
  async stop(): Promise<void> {
    spawnSync(SSHCC, ['agent', 'stop'], { env: this.env, encoding: 'utf8', timeout: 10_000 });
    await killProcesses(() => processesWithEnvironment(`SSHCC_DIR=${this.env.SSHCC_DIR as string}`));
    await Promise.all(this.volunteers.map((v) => v.stop()));
    await this.config?.remove();
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
