import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { SshccError } from '@sshcc/core';
import { connectSsh, shellCommand, type SshConnectOptions, type SshConnection, type SshTarget } from '../pool';
import { keepOutput, type InstallTarget, type RunResult, type StartedServer, type UploadMethod } from './install-target';

/** ssh2's words when sshd has no `Subsystem sftp`: the bundle then goes up through `cat`. */
const NO_SFTP = /subsystem/i;

/** A volunteer reached the way the agent reaches it (ssh_config, known_hosts, keys, ProxyJump). */
export async function sshInstallTarget(target: SshTarget, options: SshConnectOptions): Promise<InstallTarget> {
  const connection = await connectSsh(target, options);
  return new SshInstallTarget(connection);
}

class SshInstallTarget implements InstallTarget {
  readonly where: string;
  private sftp: Promise<SFTPWrapper | null> | undefined;

  constructor(private readonly connection: SshConnection) {
    this.where = connection.destination;
  }

  async run(script: string, args: readonly string[] = [], input?: Buffer): Promise<RunResult> {
    const { channel, exit } = await this.exec(shellCommand(['sh', '-c', script, 'sh', ...args]));
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      channel.on('data', (chunk: Buffer) => keepOutput(out, chunk));
      channel.stderr.on('data', (chunk: Buffer) => keepOutput(err, chunk));
      channel.on('error', reject);
      channel.on('close', () => resolve({ code: exit.code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
      channel.end(input);
    });
  }

  async writeFile(path: string, data: Buffer, mode: number): Promise<UploadMethod> {
    const sftp = await this.openSftp();
    if (sftp === null) {
      const result = await this.run('cat > "$1" && chmod "$2" "$1"', [path, mode.toString(8)], data);
      if (result.code !== 0) throw new SshccError('remote-failed', `cannot write ${path} on ${this.where}: ${result.stderr.trim() || `exit ${result.code}`}`);
      return 'exec';
    }
    try {
      await new Promise<void>((resolve, reject) => sftp.writeFile(path, data, { mode }, (err) => (err ? reject(err) : resolve())));
      await new Promise<void>((resolve, reject) => sftp.chmod(path, mode, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new SshccError('remote-failed', `cannot write ${path} on ${this.where} over sftp: ${(err as Error).message}`, { cause: err });
    }
    return 'sftp';
  }

  async startServer(command: string): Promise<StartedServer> {
    const { channel } = await this.exec(command);
    return { stream: channel, close: () => channel.close() };
  }

  close(): void {
    this.connection.close();
  }

  /** The sftp session, or null where sshd offers none (then files go up through exec). */
  private openSftp(): Promise<SFTPWrapper | null> {
    this.sftp ??= new Promise((resolve, reject) => {
      this.connection.client.sftp((err, sftp) => {
        if (!err) return resolve(sftp);
        if (NO_SFTP.test(err.message)) return resolve(null);
        reject(new SshccError('connect', `sftp to ${this.where} failed: ${err.message}`, { cause: err }));
      });
    });
    return this.sftp;
  }

  /**
   * The command's channel, and its exit status once it comes. ssh2 emits 'exit' as it parses, so a quick
   * command whose exit-status shares a read with the exec reply (a slow link delivers them together) would
   * have it before anyone awaiting the channel could listen; output waits in the stream, 'exit' does not.
   */
  private exec(command: string): Promise<{ channel: ClientChannel; exit: { code: number | null } }> {
    return new Promise((resolve, reject) => {
      try {
        this.connection.client.exec(command, (err, channel) => {
          if (err) return reject(new SshccError('connect', `${this.where} refused to run a command: ${err.message}`, { cause: err }));
          const exit = { code: null as number | null };
          channel.once('exit', (code: number | null) => (exit.code = code));
          resolve({ channel, exit });
        });
      } catch (err) {
        // ssh2 throws when the connection is already gone.
        reject(new SshccError('connect', `connection to ${this.where} lost`, { cause: err }));
      }
    });
  }
}
