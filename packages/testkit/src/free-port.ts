import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago. Another process can take it before sshd binds it; the
 * caller retries on "Address already in use" rather than this holding a socket sshd could not share.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('testkit: could not read a free port'))));
    });
  });
}
