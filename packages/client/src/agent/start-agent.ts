import { renameSync, statSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { localAgentPaths } from '../wire/local-agent-paths';
import { defaultHandleCompile } from './default-handle-compile';
import { prepareAgentDir } from './prepare-agent-dir';
import { serveConnection, type ConnectionHost } from './serve-connection';
import { acquireStartUpLock } from './start-up-lock';
import { DEFAULT_IDLE_TIMEOUT_MS, type Agent, type AgentOptions, type AgentPaths, type AgentReports, type AgentStopReason, type StartAgentResult } from './types';
import { type AgentStatus } from '../wire/messages';

/**
 * Starts the agent's socket server. Only one agent serves a socket path: the start-up lock decides,
 * and its holder alone removes a stale socket file (one that refuses connections). A loser gets
 * `{ started: false }` and should exit quietly: the winner serves its clients.
 */
export async function startAgent(options: AgentOptions = {}): Promise<StartAgentResult> {
  const paths = options.paths ?? localAgentPaths(options.dir === undefined ? process.env : { ...process.env, SSHCC_DIR: options.dir });
  prepareAgentDir(paths.dir);
  const lock = await acquireStartUpLock(paths.socket);
  if (!lock.held) return { started: false, reason: 'already-running' };
  let server: Server | undefined;
  try {
    if (await answers(paths.socket)) {
      lock.release();
      return { started: false, reason: 'already-running' };
    }
    removeIfPresent(paths.socket);
    server = await listen(paths.socket);
  } catch (err) {
    lock.release();
    throw err;
  }
  if (server === undefined) {
    lock.release();
    return { started: false, reason: 'already-running' };
  }
  chmodSync(paths.socket, 0o600);
  const socketIno = statSync(paths.socket).ino;
  const pidIno = writePidFile(paths.pidFile);
  const agent = new RunningAgent(server, paths, options, () => {
    removeIfSame(paths.socket, socketIno);
    removeIfSame(paths.pidFile, pidIno);
    lock.release();
  });
  return { started: true, agent };
}

class RunningAgent implements Agent {
  readonly stopped: Promise<AgentStopReason>;
  private readonly startedAt = Date.now();
  private readonly connections = new Set<Socket>();
  private readonly jobs = new Set<AbortController>();
  private readonly idleTimeoutMs: number;
  private readonly log: (line: string) => void;
  private jobsServed = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private resolveStopped!: (reason: AgentStopReason) => void;

  constructor(
    private readonly server: Server,
    readonly paths: AgentPaths,
    options: AgentOptions,
    private readonly cleanUp: () => void,
  ) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.log = options.log ?? (() => undefined);
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    const host: ConnectionHost = {
      handleCompile: options.handleCompile ?? defaultHandleCompile,
      reports: options.reports ?? NO_REPORTS,
      log: this.log,
      jobStarted: (job) => this.jobs.add(job),
      jobFinished: (job) => {
        this.jobs.delete(job);
        this.jobsServed += 1;
      },
      status: () => this.status(),
      stop: () => void this.close('stop-request'),
      stepAside: (why) => this.stepAside(why),
    };
    const superseded = options.superseded ?? (() => null);
    server.on('connection', (socket: Socket) => {
      if (this.closing) return socket.destroy();
      const why = superseded();
      if (why !== null) {
        this.stepAside(why);
        return socket.destroy();
      }
      this.connections.add(socket);
      this.disarmIdle();
      socket.on('close', () => {
        this.connections.delete(socket);
        this.armIdle();
      });
      serveConnection(socket, host);
    });
    this.log(`agent started on ${paths.socket}`);
    this.armIdle();
  }

  status(): AgentStatus {
    return {
      pid: process.pid,
      socket: this.paths.socket,
      dir: this.paths.dir,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeMs: Date.now() - this.startedAt,
      jobsServed: this.jobsServed,
      jobsActive: this.jobs.size,
      connections: this.connections.size,
      idleTimeoutMs: this.idleTimeoutMs,
    };
  }

  close(reason: AgentStopReason = 'closed'): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.disarmIdle();
      for (const job of this.jobs) job.abort();
      for (const socket of this.connections) socket.destroy();
      // The socket file and the start-up lock go at once, not when the last connection has drained: a
      // client that finds this agent gone starts the next one now, and that one must not lose the lock.
      this.server.close(() => {
        this.log(`agent stopped (${reason})`);
        this.resolveStopped(reason);
        resolve();
      });
      this.cleanUp();
    });
    return this.closing;
  }

  /**
   * Gives way: the client whose connection is dropped here starts the agent that replaces this one (the
   * C shim retries once after an agent's silence). Jobs in flight end with it; their clients retry too.
   */
  private stepAside(why: string): void {
    this.log(`${why}: stepping aside for the agent its client starts`);
    void this.close('superseded');
  }

  private armIdle(): void {
    if (this.closing || this.idleTimeoutMs <= 0 || this.connections.size > 0 || this.jobs.size > 0) return;
    this.disarmIdle();
    this.idleTimer = setTimeout(() => void this.close('idle'), this.idleTimeoutMs);
  }

  private disarmIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** An agent that keeps no feed answers every report with null and streams nothing. */
const NO_REPORTS: AgentReports = {
  stats: () => null,
  zeroStats: () => null,
  jobs: () => null,
  watch: () => () => undefined,
};

/** Does a live agent answer on this path? (A stale socket file refuses; a missing one is absent.) */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Listens on the path; undefined when another process bound it first (no start-up lock on this OS). */
function listen(socketPath: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    server.listen(socketPath, () => resolve(server));
  });
}

function writePidFile(pidFile: string): number {
  const temp = `${pidFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${process.pid}\n`, { mode: 0o600 });
  renameSync(temp, pidFile);
  return statSync(pidFile).ino;
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes our own file only: a later agent may already have replaced it. */
function removeIfSame(path: string, ino: number): void {
  try {
    if (statSync(path).ino === ino) unlinkSync(path);
  } catch {
    // already gone
  }
}
