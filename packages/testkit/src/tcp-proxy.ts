import { connect, createServer, type Socket } from 'node:net';
import { track, untrack } from './registry';

export interface TcpProxyOptions {
  targetPort: number;
  targetHost?: string;
}

/** A loopback TCP forwarder whose traffic a test can stall or cut, to fake a bad network between client and volunteer. */
export interface TcpProxy {
  /** Where clients connect instead of targetPort (on 127.0.0.1). */
  readonly port: number;
  /** Connections accepted so far (each is one client socket plus one target socket). */
  readonly connectionCount: number;
  /** A black hole: sockets stay open but no byte moves either way, for old and new connections alike. */
  pauseTraffic(): void;
  resumeTraffic(): void;
  /** Destroys every socket now (a reset, as from a dropped link); the proxy keeps accepting new ones. */
  cutAll(): void;
  close(): Promise<void>;
}

/** Copies `from` into `to` unless traffic is paused; backpressure pauses the reader, never buffers without end. */
function forward(from: Socket, to: Socket, paused: () => boolean): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    if (!paused()) from.resume();
  });
  from.on('end', () => to.end());
  from.on('error', () => to.destroy());
  from.on('close', () => to.destroy());
}

export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let paused = false;
  let accepted = 0;
  const isPaused = (): boolean => paused;
  const keep = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (paused) socket.pause();
  };

  const server = createServer((client) => {
    accepted++;
    client.setNoDelay(true);
    const target = connect({ host: targetHost, port: options.targetPort });
    target.setNoDelay(true);
    keep(client);
    keep(target);
    forward(client, target, isPaused);
    forward(target, client, isPaused);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const cutAll = (): void => {
        for (const socket of sockets) socket.destroy();
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
        port,
        get connectionCount() {
          return accepted;
        },
        pauseTraffic() {
          paused = true;
          for (const socket of sockets) socket.pause();
        },
        resumeTraffic() {
          paused = false;
          for (const socket of sockets) socket.resume();
        },
        cutAll,
        close: tracked.stop,
      });
    });
  });
}
