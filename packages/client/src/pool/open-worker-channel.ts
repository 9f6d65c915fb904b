import type { Client, ClientChannel } from 'ssh2';
import { isSshccError, SshccError } from '@sshcc/core';
import type { ServerMode } from '../hosts';
import type { SshConnection } from './connect-ssh';

// A worker channel runs one sshcc-server that serves many jobs. sshd starts it as `Subsystem sshcc` where an
// admin installed it; otherwise sshcc execs the per-user install. Either way the server speaks first, so
// "it works" means the protocol handshake finished, not merely that sshd accepted the request.

export const SUBSYSTEM_NAME = 'sshcc';
/** Login shell + Node start + hello; measured ~25 ms to the first byte plus the shell's rc files. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Bytes of a server's stderr kept for messages; the rest is read and dropped so the channel never stalls. */
const STDERR_TAIL_BYTES = 1024;

export interface WorkerHandshakeInfo {
  /** The pool's name for the host (its spec), so a handshake can apply per-host options. */
  readonly hostId: string;
  readonly mode: ServerMode;
  /** `user@host:port`, for messages. */
  readonly destination: string;
}

/** Runs the protocol's client handshake on a fresh channel; resolves to the session jobs run on. */
export type WorkerHandshake<S> = (channel: ClientChannel, info: WorkerHandshakeInfo) => Promise<S>;

/** The server would not open another channel on this connection (sshd's MaxSessions). */
export class ChannelRefusedError extends Error {}

export interface OpenWorkerOptions<S> {
  readonly hostId: string;
  /** The mode that worked last time on this host: tried first. */
  readonly preferredMode?: ServerMode | undefined;
  /**
   * false: try `preferredMode` only. On a host whose other channels run, the mode is proven, and falling
   * back after a slow start would only start a second server on an already struggling volunteer.
   */
  readonly tryOtherMode?: boolean;
  /** Shell command line for exec mode. */
  readonly execCommand: string;
  readonly handshake: WorkerHandshake<S>;
  readonly handshakeTimeoutMs?: number;
  /** Wraps each channel open (the pool serialises them per connection to learn MaxSessions exactly). */
  readonly openThrough?: (open: () => Promise<ClientChannel>) => Promise<ClientChannel>;
}

export interface WorkerChannel<S> {
  readonly channel: ClientChannel;
  readonly session: S;
  readonly mode: ServerMode;
  /** The last bytes the server wrote to stderr (for a crash message). */
  stderrTail(): string;
}

function openChannel(client: Client, mode: ServerMode, execCommand: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | undefined, channel: ClientChannel): void => {
      if (!error) return resolve(channel);
      const reason = (error as Error & { reason?: unknown }).reason;
      // A CHANNEL_OPEN_FAILURE carries a numeric reason; a refused subsystem request does not.
      if (typeof reason === 'number' || /Channel open failure/.test(error.message)) reject(new ChannelRefusedError(error.message));
      else reject(error);
    };
    try {
      if (mode === 'subsystem') client.subsys(SUBSYSTEM_NAME, done);
      else client.exec(execCommand, done);
    } catch (error) {
      // ssh2 throws synchronously when the connection is already gone.
      reject(error);
    }
  });
}

function keepStderrTail(channel: ClientChannel): () => string {
  let tail = Buffer.alloc(0);
  channel.stderr.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
  });
  return () => tail.toString('utf8').trim();
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describeMode(mode: ServerMode, execCommand: string): string {
  return mode === 'subsystem' ? `subsystem ${SUBSYSTEM_NAME}` : `exec ${execCommand}`;
}

/** Whether the failure is the connection going away rather than this server failing. */
function connectionGone(connection: WorkerConnection, error: unknown): boolean {
  return !connection.isOpen() || (isSshccError(error) && error.code === 'connect');
}

export type WorkerConnection = Pick<SshConnection, 'client' | 'destination' | 'isOpen'>;

/** Opens a channel running sshcc-server and completes the handshake: subsystem first, then exec. */
export async function openWorkerChannel<S>(connection: WorkerConnection, options: OpenWorkerOptions<S>): Promise<WorkerChannel<S>> {
  const destination = connection.destination;
  const both: ServerMode[] = options.preferredMode === 'exec' ? ['exec', 'subsystem'] : ['subsystem', 'exec'];
  const order = options.tryOtherMode === false && options.preferredMode !== undefined ? [options.preferredMode] : both;
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const failures: string[] = [];
  for (const mode of order) {
    const what = describeMode(mode, options.execCommand);
    let channel: ClientChannel;
    try {
      const open = (): Promise<ClientChannel> => openChannel(connection.client, mode, options.execCommand);
      channel = await (options.openThrough ? options.openThrough(open) : open());
    } catch (error) {
      if (error instanceof ChannelRefusedError) throw error;
      if (connectionGone(connection, error)) throw new SshccError('connect', `connection to ${destination} lost while opening a channel`, { cause: error });
      failures.push(mode === 'subsystem' ? `sshd has no \`Subsystem ${SUBSYSTEM_NAME}\`` : `${what}: ${(error as Error).message}`);
      continue;
    }
    const stderrTail = keepStderrTail(channel);
    try {
      const session = await withTimeout(
        options.handshake(channel, { hostId: options.hostId, mode, destination }),
        timeoutMs,
        () => new SshccError('protocol', `no handshake within ${timeoutMs / 1000} s`),
      );
      return { channel, session, mode, stderrTail };
    } catch (error) {
      channel.close();
      if (connectionGone(connection, error)) throw new SshccError('connect', `connection to ${destination} lost during the handshake`, { cause: error });
      const stderr = stderrTail();
      failures.push(`${what}: ${(error as Error).message}${stderr ? ` (stderr: ${stderr.split('\n').slice(-3).join(' | ')})` : ''}`);
    }
  }
  throw new SshccError('protocol', `cannot start sshcc-server on ${destination}`, { hint: failures.join('; ') });
}
