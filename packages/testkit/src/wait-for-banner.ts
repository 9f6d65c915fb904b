import { connect } from 'node:net';

const PROBE_INTERVAL_MS = 20;

/** One attempt: connect and read until the server's identification line starts to arrive. */
function probe(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let seen = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.length >= 8 || seen.includes('\n')) finish(seen.startsWith('SSH-2.0'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

export interface WaitForBannerOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** Returns a reason to stop waiting (e.g. "sshd exited with code 255"), or undefined to keep polling. */
  gaveUp: () => string | undefined;
}

/**
 * Resolves once something on host:port answers with an `SSH-2.0` banner. Rejects with the reason from
 * `gaveUp` or on timeout; the caller adds sshd's stderr to the message.
 */
export async function waitForSshBanner(options: WaitForBannerOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const reason = options.gaveUp();
    if (reason !== undefined) throw new Error(reason);
    if (await probe(options.host, options.port)) return;
    const again = options.gaveUp();
    if (again !== undefined) throw new Error(again);
    if (Date.now() > deadline) throw new Error(`no SSH banner on ${options.host}:${options.port} within ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}
