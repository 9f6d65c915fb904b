import type { ClientChannel } from 'ssh2';
import { isSshccError, SshccError } from '@sshcc/core';
import type { HostTable } from '../hosts';
import { ChannelStartFailure } from './channel-start-failure';
import { connectSsh, type SshConnectOptions, type SshConnection } from './connect-ssh';
import type { ConnectionEnds } from './connection-ends';
import { destinationOf, type HostChannels, type PooledConnection } from './host-channels';
import { ChannelRefusedError, openWorkerChannel, type WorkerHandshake } from './open-worker-channel';
import { poolClosedError } from './pool-errors';
import type { PoolEvent } from './pool-events';
import { WorkerRecord } from './pool-worker';

// The lifecycle of the pool's connections and the opening of worker channels on them. A worker goes on
// a connection with room, else on a newly dialled one; channel opens on one connection go one at a time,
// so the first refusal tells sshd's MaxSessions exactly. What a failure means for the host is the pool's
// decision: this file only tells it (a connection lost, a channel closed by the server, a failed start).

export interface WorkerOpenerOptions<S> {
  readonly handshake: WorkerHandshake<S>;
  readonly handshakeTimeoutMs: number | undefined;
  /** Shell command for exec mode. */
  readonly execCommand: string;
  readonly connect: Omit<SshConnectOptions, 'onNote'> | undefined;
}

export interface WorkerOpenerHooks<S> {
  readonly emit: (event: PoolEvent) => void;
  readonly isClosed: () => boolean;
  /** A connection the pool had not retired ended. */
  readonly connectionLost: (h: HostChannels<S>, reason: SshccError) => void;
  /** The server side closed a worker's channel (sshcc-server exited). */
  readonly channelGone: (h: HostChannels<S>, w: WorkerRecord<S>) => void;
}

export class WorkerOpener<S> {
  private nextWorkerId = 1;
  private nextConnId = 1;

  constructor(
    private readonly options: WorkerOpenerOptions<S>,
    private readonly table: HostTable,
    private readonly ends: ConnectionEnds,
    private readonly hooks: WorkerOpenerHooks<S>,
  ) {}

  /**
   * A new worker on the host. Rejects with ChannelStartFailure when the server failed on a connection
   * that stays open, else with the connection's own failure.
   */
  async open(h: HostChannels<S>): Promise<WorkerRecord<S>> {
    const hostId = h.host.spec;
    for (;;) {
      const conn = h.conns.find((c) => !c.retired && c.channels < c.capacity) ?? this.dial(h);
      conn.channels++;
      let connection: SshConnection | undefined;
      try {
        connection = await conn.ready;
        // Read after the connection is up: a probe finishing meanwhile proves the mode.
        const host = this.table.get(hostId);
        const opened = await openWorkerChannel(connection, {
          hostId,
          preferredMode: host.serverMode,
          tryOtherMode: host.health !== 'up',
          execCommand: this.options.execCommand,
          handshake: this.options.handshake,
          ...(this.options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: this.options.handshakeTimeoutMs }),
          openThrough: (open) => this.openInTurn(conn, open),
        });
        this.table.noteServerMode(hostId, opened.mode);
        const w = new WorkerRecord(this.nextWorkerId++, hostId, opened.session, opened.channel, opened.mode, conn.id, opened.stderrTail);
        opened.channel.on('close', () => this.hooks.channelGone(h, w));
        this.hooks.emit({ type: 'channel-opened', hostId, workerId: w.id, connectionId: conn.id, mode: w.mode });
        return w;
      } catch (error) {
        conn.channels--;
        if (connection?.isOpen() && !(error instanceof ChannelRefusedError) && !(isSshccError(error) && error.code === 'connect')) {
          throw new ChannelStartFailure(error);
        }
        if (!(error instanceof ChannelRefusedError)) throw error;
        this.learnSessionLimit(h, conn, error);
      }
    }
  }

  /** The server's MaxSessions is below ours: what this connection holds now is its limit. */
  private learnSessionLimit(h: HostChannels<S>, conn: PooledConnection, refusal: ChannelRefusedError): void {
    const limit = conn.sessions;
    conn.capacity = limit;
    const destination = destinationOf(this.table, h);
    if (limit === 0) throw new SshccError('protocol', `${destination} refuses every session channel`, { cause: refusal });
    if (limit >= h.channelsPerConnection) return;
    h.channelsPerConnection = limit;
    this.hooks.emit({
      type: 'note',
      hostId: h.host.spec,
      message: `${destination} refused channel ${limit + 1} on one connection (${refusal.message}); using ${limit} per connection`,
    });
  }

  /** Opens one channel on `conn` after the previous open there finished, counting what sshd granted. */
  private openInTurn(conn: PooledConnection, open: () => Promise<ClientChannel>): Promise<ClientChannel> {
    const turn = conn.openQueue.then(open).then((channel) => {
      conn.sessions++;
      channel.once('close', () => conn.sessions--);
      return channel;
    });
    conn.openQueue = turn.catch(() => undefined);
    return turn;
  }

  private dial(h: HostChannels<S>): PooledConnection {
    const conn: PooledConnection = {
      id: this.nextConnId++,
      connection: undefined,
      channels: 0,
      sessions: 0,
      openQueue: Promise.resolve(),
      capacity: h.channelsPerConnection,
      retired: false,
      // The callbacks run after `conn` exists.
      ready: connectSsh(h.host, {
        ...this.options.connect,
        onNote: (message) => this.hooks.emit({ type: 'note', hostId: h.host.spec, message }),
      }).then(
        (connection) => this.connectionReady(h, conn, connection),
        (error: unknown) => {
          h.conns = h.conns.filter((c) => c !== conn);
          throw error;
        },
      ),
    };
    this.ends.track(conn.ready);
    h.conns.push(conn);
    return conn;
  }

  private connectionReady(h: HostChannels<S>, conn: PooledConnection, connection: SshConnection): SshConnection {
    this.ends.track(connection.ended);
    if (conn.retired) {
      connection.close();
      throw this.table.get(h.host.spec).lastError ?? poolClosedError();
    }
    conn.connection = connection;
    this.table.noteDestination(h.host.spec, connection.destination);
    this.hooks.emit({ type: 'connection-opened', hostId: h.host.spec, connectionId: conn.id, destination: connection.destination });
    void connection.ended.then((reason) => this.connectionEnded(h, conn, reason));
    return connection;
  }

  private connectionEnded(h: HostChannels<S>, conn: PooledConnection, reason: SshccError | undefined): void {
    h.conns = h.conns.filter((c) => c !== conn);
    this.hooks.emit({ type: 'connection-closed', hostId: h.host.spec, connectionId: conn.id, error: reason });
    if (conn.retired || this.hooks.isClosed()) return;
    conn.retired = true;
    this.hooks.connectionLost(h, reason ?? new SshccError('connect', `connection to ${destinationOf(this.table, h)} ended`));
  }
}
