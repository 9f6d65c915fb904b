import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import type { ConnectConfig } from 'ssh2';
import { freezeTree, killTreeSync, processTree, signal, signalTree, waitAllGone } from './process-tree';
import { track, untrack } from './registry';
import { generateKeyPair } from './ssh-keygen';
import { SshdProcess, SshdStartError, type SshdAddress } from './sshd-process';
import { renderHostBlock, type HostEntry } from './ssh-client-files';
import { keyBlob } from './key-blob';

const STOP_GRACE_MS = 3000;
const GONE_TIMEOUT_MS = 5000;
const RESTART_BIND_ATTEMPTS = 20;

/** Everything fixed about a volunteer once it first started; restart() reuses all of it (the host key unless told). */
export interface VolunteerSetup extends HostEntry {
  dir: string;
  /** Where sshd itself listens (host and port above are where clients connect; the same unless relayed). */
  sshd: SshdAddress;
  /** HOME of the volunteer's sessions (inside dir, empty at start) unless the options set another. */
  home: string;
  sshdPath: string;
  sshdConfigFile: string;
  pidFile: string;
  knownHostsFile: string;
  sshConfigFile: string;
  sshConfigText: string;
  privateKey: Buffer;
  /** sshd's host key (private part; `.pub` beside it). */
  hostKeyFile: string;
  /** The host key's wire-format blob, which ssh2 hands to hostVerifier. */
  hostKeyBlob: Buffer;
}

export interface RestartOptions {
  /**
   * A reinstalled machine: sshd comes back with a new host key on the same port. known_hosts files
   * written before (the volunteer's own, makeClientConfig's) keep the old key, so clients must refuse it.
   */
  newHostKey?: boolean;
}

type State = 'running' | 'paused' | 'dead' | 'stopped';

/** One real OpenSSH sshd (on 127.0.0.1 unless started in a network namespace), owned by this test process. */
export class Volunteer {
  /** Where clients connect: 127.0.0.1, or a WAN volunteer's relay address. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Unique ssh_config Host alias, defined in sshConfigFile. */
  readonly alias: string;
  /** `user@host:port`, an sshcc host spec that needs no ssh_config. */
  readonly hostSpec: string;
  readonly identityFile: string;
  readonly knownHostsFile: string;
  readonly sshConfigFile: string;
  readonly sshConfigText: string;
  readonly dir: string;
  readonly home: string;
  private state: State = 'running';
  private stopping: Promise<void> | undefined;
  private readonly tracked = { stop: () => this.stop(), killSync: () => this.killSync() };

  constructor(
    private readonly setup: VolunteerSetup,
    private sshd: SshdProcess,
  ) {
    this.host = setup.host;
    this.port = setup.port;
    this.user = setup.user;
    this.alias = setup.alias;
    this.hostSpec = `${setup.user}@${setup.host}:${setup.port}`;
    this.identityFile = setup.identityFile;
    this.knownHostsFile = setup.knownHostsFile;
    this.sshConfigFile = setup.sshConfigFile;
    this.sshConfigText = setup.sshConfigText;
    this.dir = setup.dir;
    this.home = setup.home;
    track(this.tracked);
  }

  /** `ssh-ed25519 AAAA...`: the key sshd presents now (restart({ newHostKey }) changes it). */
  get hostPublicKey(): string {
    return this.setup.hostPublicKey;
  }

  /** The listening sshd's pid; 0 once killed or stopped. */
  get pid(): number {
    return this.state === 'dead' || this.state === 'stopped' ? 0 : this.sshd.pid;
  }

  /** The tail of sshd's own log (LogLevel from the options), for failure messages. */
  get log(): string {
    return this.sshd.log;
  }

  /** sshd and every process it forked (connection handlers, sessions, the subsystem), parents first. */
  processes(): number[] {
    return this.pid ? processTree(this.pid) : [];
  }

  /**
   * Writes an ssh_config that reaches this volunteer under its own alias through a relay on 127.0.0.1:`port`
   * (a TcpProxy a test cuts, stalls or refuses); its known_hosts alias line still vouches for the key.
   */
  async writeSshConfigThrough(port: number): Promise<string> {
    const file = join(this.dir, `ssh_config.via-${port}`);
    const entry = { ...this.setup, host: '127.0.0.1', port, hostKeyAlias: this.alias };
    await writeFile(file, renderHostBlock(entry, this.knownHostsFile), { mode: 0o600 });
    return file;
  }

  /** An ssh2 ConnectConfig that logs in with the volunteer's user key and accepts only its real host key. */
  connectOptions(extra: ConnectConfig = {}): ConnectConfig {
    const expected = this.setup.hostKeyBlob;
    return {
      host: this.host,
      port: this.port,
      username: this.user,
      privateKey: this.setup.privateKey,
      hostVerifier: (key: Buffer) => key.equals(expected),
      readyTimeout: 5000,
      ...extra,
    };
  }

  /** Ends sshd and everything it started, then removes the volunteer's directory. Safe to call concurrently. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    if (this.state === 'stopped') return;
    untrack(this.tracked);
    if (this.state === 'running' || this.state === 'paused') {
      const root = this.sshd.pid;
      // Freeze first so no session escapes to init while sshd shuts down; sessions get no say in this.
      const pids = freezeTree(root);
      for (const pid of pids) if (pid !== root) signal(pid, 'SIGKILL');
      signal(root, 'SIGTERM');
      signal(root, 'SIGCONT');
      const timer = setTimeout(() => killTreeSync(root), STOP_GRACE_MS);
      await this.sshd.exited;
      clearTimeout(timer);
      await waitAllGone(pids, GONE_TIMEOUT_MS);
    }
    this.state = 'stopped';
    await rm(this.dir, { recursive: true, force: true });
  }

  /** A machine dying: SIGKILL sshd and every process it forked. Keeps the directory for restart(). */
  async kill(): Promise<void> {
    this.assertStarted('kill');
    if (this.state === 'dead') return;
    const pids = killTreeSync(this.sshd.pid);
    this.state = 'dead';
    await this.sshd.exited;
    await waitAllGone(pids, GONE_TIMEOUT_MS);
  }

  /** A machine hanging: SIGSTOP sshd and all its processes. TCP still connects (the kernel accepts); nothing answers. */
  pause(): void {
    this.assertStarted('pause');
    if (this.state !== 'running') throw new Error(`testkit: cannot pause a ${this.state} volunteer`);
    freezeTree(this.sshd.pid);
    this.state = 'paused';
  }

  resume(): void {
    this.assertStarted('resume');
    if (this.state !== 'paused') throw new Error(`testkit: cannot resume a ${this.state} volunteer`);
    signalTree(this.sshd.pid, 'SIGCONT');
    this.state = 'running';
  }

  /**
   * A reboot: kills whatever runs (open connections drop), then starts sshd again on the same port with the
   * same keys, or with a new host key (`newHostKey`).
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    this.assertStarted('restart');
    if (this.state !== 'dead') await this.kill();
    if (options.newHostKey) await this.replaceHostKey();
    for (let attempt = 1; ; attempt++) {
      try {
        this.sshd = await SshdProcess.start(this.setup.sshdPath, this.setup.sshdConfigFile, this.setup.pidFile, this.setup.sshd);
        break;
      } catch (err) {
        // Someone may hold the port for a moment (a connection handler being reaped); it is ours to wait for.
        if (!(err instanceof SshdStartError && err.portInUse) || attempt >= RESTART_BIND_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.state = 'running';
  }

  private async replaceHostKey(): Promise<void> {
    const file = this.setup.hostKeyFile;
    // ssh-keygen asks before overwriting; the old pair goes first.
    await Promise.all([rm(file, { force: true }), rm(`${file}.pub`, { force: true })]);
    const key = await generateKeyPair(file, 'sshcc-testkit-host');
    this.setup.hostPublicKey = key.publicKey;
    this.setup.hostKeyBlob = keyBlob(key.publicKey);
  }

  private assertStarted(action: string): void {
    if (this.state === 'stopped') throw new Error(`testkit: cannot ${action} a stopped volunteer (${this.alias})`);
  }

  private killSync(): void {
    if (this.state === 'running' || this.state === 'paused') killTreeSync(this.sshd.pid);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
