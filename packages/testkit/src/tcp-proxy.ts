import { connect, createServer, type Socket } from 'node:net';
import { DelayLine } from './delay-line';
import { track, untrack } from './registry';

export interface TcpProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** Address the proxy listens on. Default 127.0.0.1. */
  listenHost?: string;
  /** Added to each direction (so a round trip gains twice this). Default 0. Throughput is kept: see DelayLine. */
  delayMs?: number;
}

/** A TCP forwarder whose traffic a test can delay, stall or cut, to fake a bad network between client and volunteer. */
export interface TcpProxy {
  /** Where clients connect instead of targetPort (on listenHost). */
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far (each is one client socket plus one target socket). */
  readonly connectionCount: number;
  /** A black hole: sockets stay open but no byte moves either way, for old and new connections alike. */
  pauseTraffic(): void;
  resumeTraffic(): void;
  /** Destroys every socket now (a reset, as from a dropped link); the proxy keeps accepting new ones. */
  cutAll(): void;
  /**
   * While on, a new connection is closed as soon as it is accepted, before any byte, as sshd's MaxStartups
   * drops a burst of connections; those already open go on.
   */
  refuseNew(on: boolean): void;
  close(): Promise<void>;
}

export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const listenHost = options.listenHost ?? '127.0.0.1';
  const delayMs = options.delayMs ?? 0;
  const sockets = new Set<Socket>();
  const lines = new Set<DelayLine>();
  let paused = false;
  let refusing = false;
  let accepted = 0;

  /** Relays `from` into `to`; a reset on either side resets the other, a clean end travels through the line. */
  const relay = (from: Socket, to: Socket): void => {
    const line = new DelayLine(from, to, delayMs, paused);
    lines.add(line);
    sockets.add(from);
    from.on('error', () => to.destroy());
    from.on('close', () => {
      sockets.delete(from);
      // Closed without its end of stream in the line (destroyed, reset): nothing more will come, so the
      // other side goes too. After a clean end the line still delivers what it holds, then ends `to`.
      if (!line.endTakenIn) to.destroy();
    });
    // Only once the receiver is gone can nothing more be delivered.
    to.on('close', () => {
      lines.delete(line);
      line.dispose();
    });
  };

  // allowHalfOpen: a FIN from one side must reach the other only after the delayed bytes before it.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    if (refusing) return void client.destroy();
    accepted++;
    client.setNoDelay(true);
    const target = connect({ host: targetHost, port: options.targetPort, allowHalfOpen: true });
    target.setNoDelay(true);
    relay(client, target);
    relay(target, client);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const cutAll = (): void => {
        for (const socket of sockets) socket.destroy();
      };
      const setPaused = (on: boolean): void => {
        paused = on;
        for (const line of lines) line.setStalled(on);
      };
      const tracked = {
        stop: (): Promise<void> => {
          untrack(tracked);
          cutAll();
          return new Promise<void>((done) => server.close(() => done()));
        },
        killSync: cutAll,
      };
      track(tracked);
      resolve({
        host: listenHost,
        port,
        get connectionCount() {
          return accepted;
        },
        pauseTraffic: () => setPaused(true),
        resumeTraffic: () => setPaused(false),
        cutAll,
        refuseNew: (on: boolean) => {
          refusing = on;
        },
        close: tracked.stop,
      });
    });
  });
}
