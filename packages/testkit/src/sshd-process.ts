import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { waitForSshBanner } from './wait-for-banner';

const STDERR_KEEP_BYTES = 64 * 1024;
const READY_TIMEOUT_MS = 10_000;

/** Where sshd listens, and the command prefix that puts it there (a network namespace). */
export interface SshdAddress {
  host: string;
  port: number;
  launcher?: readonly string[];
}

/** One running `sshd -D -e`, with the tail of its log kept for error messages. */
export class SshdProcess {
  private stderrTail = '';
  private exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_KEEP_BYTES);
    });
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') so the stderr pipe is drained and closed too: no handle outlives the process.
      child.on('close', (code, signal) => {
        this.exitState = { code, signal };
        resolve();
      });
    });
  }

  /**
   * Starts sshd from `sshdPath` with `configFile` and waits for its banner on `where.host`:`where.port`.
   * `where.launcher` (e.g. `ip netns exec NS`) runs first and must exec sshd, so the pid stays sshd's.
   */
  static async start(sshdPath: string, configFile: string, pidFile: string, where: SshdAddress): Promise<SshdProcess> {
    const { host, port } = where;
    const argv = [...(where.launcher ?? []), sshdPath, '-D', '-e', '-f', configFile];
    // detached: sshd leads its own process group, so a Ctrl-C aimed at the test run does not hit it
    // half-way; cleanup is ours (see process-tree.ts).
    const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    const sshd = new SshdProcess(child);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    let failure: Error | undefined;
    void spawnError.then((err) => (failure = err));
    try {
      await waitForSshBanner({
        host,
        port,
        timeoutMs: READY_TIMEOUT_MS,
        gaveUp: () => (failure ? failure.message : sshd.exitState ? `sshd exited (${sshd.describeExit()})` : undefined),
      });
      // Something answered; make sure it is our sshd and not another that won the race for the port.
      while ((await readFile(pidFile, 'utf8').catch(() => '')).trim() !== String(child.pid)) {
        if (sshd.exitState) throw new Error(`sshd exited (${sshd.describeExit()})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } catch (err) {
      child.kill('SIGKILL');
      await sshd.exited;
      throw new SshdStartError(`testkit: sshd did not start on ${host}:${port}: ${(err as Error).message}`, sshd.log);
    }
    return sshd;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.exitState === undefined;
  }

  /** The last 64 KiB sshd wrote to stderr. */
  get log(): string {
    return this.stderrTail;
  }

  private describeExit(): string {
    const state = this.exitState;
    if (!state) return 'running';
    return state.signal ? `signal ${state.signal}` : `code ${state.code}`;
  }
}

/** sshd failed to come up; `log` is what it printed, `portInUse` says a retry on another port may work. */
export class SshdStartError extends Error {
  readonly portInUse: boolean;

  constructor(message: string, readonly log: string) {
    super(`${message}\n--- sshd stderr ---\n${log.trim() || '(empty)'}`);
    this.name = 'SshdStartError';
    this.portInUse = /Address already in use/.test(log);
  }
}
