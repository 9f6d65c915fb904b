import { createServer, type Server } from 'node:net';
import { fnv1a32 } from '../wire/agent-paths';

/**
 * The one-agent-per-socket lock: a listening socket in Linux's abstract namespace, named after the
 * uid and the socket path. The kernel releases it when the agent dies however it dies, so there is
 * never a stale lock to judge, and only its holder may remove a stale socket file. (Where there is
 * no abstract namespace, the socket's own bind is the only guard.)
 */
export type LockResult = { readonly held: true; readonly release: () => void } | { readonly held: false };

export function acquireStartUpLock(socketPath: string): Promise<LockResult> {
  if (process.platform !== 'linux') return Promise.resolve({ held: true, release: () => undefined });
  const name = `\0sshcc-agent-${process.getuid?.() ?? 0}-${fnv1a32(socketPath).toString(16)}`;
  return new Promise((resolve, reject) => {
    const server: Server = createServer((connection) => connection.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve({ held: false });
      else reject(err);
    });
    server.listen(name, () => {
      server.unref();
      resolve({ held: true, release: () => server.close() });
    });
  });
}
