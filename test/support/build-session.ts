// One end-to-end build setting: real sshd volunteers (each with its own TMPDIR, where the server makes
// its job dirs), on loopback or each behind its own emulated WAN link (testkit's startWanVolunteer), a
// client ssh_config/known_hosts for them, a private SSHCC_DIR for the agent, and an SSHCC_LOG that gets
// one line per compile. stop() ends the agent and every process it left behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobLeftovers, makeClientConfig, startVolunteer, startWanVolunteer, type ClientConfig, type Volunteer, type WanVolunteer, type WanVolunteerOptions } from '@sshcc/testkit';
import { SSHCC } from './build-project';
import { waitFor } from './build-processes';
import { readJobLog, type JobLine } from './job-log';
import { agentEnvironment, agentLog, stopAgent } from './private-agent';

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

/** The shape of an emulated WAN link. */
export type WanShape = Pick<WanVolunteerOptions, 'delayMs' | 'rateMbit' | 'lossPercent'>;

export interface BuildSessionOptions {
  readonly volunteers: number;
  /** Jobs per volunteer in SSHCC_HOSTS. */
  readonly slots?: number;
  /** Puts every volunteer behind its own WAN link of this shape; wan(i) gives its controls. Default: loopback. */
  readonly wan?: WanShape;
  /** false: the test starts the agent itself (startAgent(env)), e.g. once fault settings are in place. Default true. */
  readonly startAgent?: boolean;
}

/** A started volunteer, and what stops it (its WAN link too, when it has one). */
interface Started {
  readonly volunteer: Volunteer;
  readonly wan: WanVolunteer | null;
}

export class BuildSession {
  readonly volunteers: Volunteer[];

  private constructor(
    readonly dir: string,
    private readonly started: readonly Started[],
    readonly volunteerTmp: string[],
    readonly config: ClientConfig | null,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.volunteers = started.map((s) => s.volunteer);
  }

  static async start(options: BuildSessionOptions): Promise<BuildSession> {
    const dir = mkdtempSync(join(tmpdir(), options.wan ? 'sshcc-wan-e2e-' : 'sshcc-e2e-'));
    const volunteerTmp = Array.from({ length: options.volunteers }, (_, i) => join(dir, `volunteer-${i}-tmp`));
    for (const path of volunteerTmp) mkdirSync(path);
    // Each volunteer is started alone, for its own TMPDIR; if one fails, those that started are stopped.
    const settled = await Promise.allSettled(volunteerTmp.map((tmp) => startOne(tmp, options.wan)));
    const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    let config: ClientConfig | null = null;
    let session: BuildSession | undefined;
    try {
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      config = started.length > 0 ? await makeClientConfig(started.map((s) => s.volunteer)) : null;
      const slots = options.slots ?? 4;
      const hosts = started.map((s) => `${s.volunteer.alias}/${slots}`).join(' ');
      session = new BuildSession(dir, started, volunteerTmp, config, agentEnvironment(dir, config?.env ?? {}, hosts));
      if (options.startAgent ?? true) await session.startAgent();
      return session;
    } catch (err) {
      if (session) await stopAgent(session.env);
      await Promise.all(started.map(stopOne));
      await config?.remove();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Starts the agent with `env` (the session's, or one with fault settings) before the build. A client
   * waits 3 s for an agent it starts and then compiles locally (by design: the build goes on); on a loaded
   * 2-core machine Node's start-up alone can take that long, and the builds here are about where compiles
   * go, so none may race the agent's start.
   */
  async startAgent(env: NodeJS.ProcessEnv = this.env): Promise<void> {
    spawnSync(SSHCC, ['agent', 'start'], { env, encoding: 'utf8', timeout: 30_000 });
    const up = await waitFor(() => this.agentStatus(env).code === 0, 30_000, 100);
    if (!up) throw new Error(`the agent did not start: ${this.agentLog()}`);
  }

  /** The host spec SSHCC_HOSTS gives volunteer i, as the job log names it. */
  hostOf(i: number): string {
    return (this.env.SSHCC_HOSTS as string).split(' ')[i] as string;
  }

  /** The WAN link controls of volunteer i (a session started with `wan`). */
  wan(i: number): WanVolunteer {
    const wan = this.started[i]?.wan;
    if (!wan) throw new Error(`volunteer ${i} has no WAN link`);
    return wan;
  }

  jobs(): JobLine[] {
    return readJobLog(this.env.SSHCC_LOG as string);
  }

  /** Jobs that compiled something (not links, which always run here). */
  compileJobs(): JobLine[] {
    return this.jobs().filter((job) => job.output.endsWith('.o'));
  }

  agentLog(): string {
    return agentLog(this.env);
  }

  /** What jobs left in the servers' TMPDIRs (their channels' workspaces hold only mirrored sources). */
  volunteerLeftovers(): string[] {
    return this.volunteerTmp.flatMap(jobLeftovers);
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
  agentStatus(env: NodeJS.ProcessEnv = this.env): RunResult {
    const result = spawnSync(SSHCC, ['agent', 'status'], { env, encoding: 'utf8' });
    return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
  }

  /** Stops the agent, kills whatever it or a build left running, stops the volunteers (and their WAN links), removes the session's files. */
  async stop(): Promise<void> {
    await stopAgent(this.env);
    await Promise.all(this.started.map(stopOne));
    await this.config?.remove();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function startOne(tmp: string, wan: WanShape | undefined): Promise<Started> {
  const options = { maxSessions: 10, env: { TMPDIR: tmp } };
  if (wan === undefined) return { volunteer: await startVolunteer(options), wan: null };
  const link = await startWanVolunteer({ ...options, ...wan });
  return { volunteer: link.volunteer, wan: link };
}

function stopOne(started: Started): Promise<void> {
  // A WAN volunteer's stop() takes its relay, namespace and veth pair with it.
  return started.wan ? started.wan.stop() : started.volunteer.stop();
}
