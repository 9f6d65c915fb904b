import type { Duplex } from 'node:stream';
import { Client, type AnyAuthMethod } from 'ssh2';
import type { SshccError } from '@sshcc/core';
import { classifySshError } from './classify-ssh-error';
import type { HostKeyAlgorithm } from './host-key-algorithms';

// One ssh2 handshake over a socket sshcc made itself. The result carries a promise that settles when the
// connection ends, with the reason as an SshccError (undefined when we ended it), so the pool never has to
// listen to ssh2's events itself.

export interface SshClientSettings {
  readonly sock: Duplex;
  readonly username: string;
  readonly destination: string;
  /** Returns an error to refuse the key; called once with the server's key blob. */
  readonly checkHostKey: (key: Buffer) => SshccError | undefined;
  readonly hostKeyAlgorithms: HostKeyAlgorithm[];
  readonly auth: AnyAuthMethod[];
  readonly offered: readonly string[];
  readonly readyTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
}

export interface StartedSshClient {
  readonly client: Client;
  /** Settles when the connection is gone: with why, or undefined after close(). */
  readonly ended: Promise<SshccError | undefined>;
  /** False from the moment ssh2 reports the connection closed (before `ended` settles). */
  isOpen(): boolean;
  /** Ends the connection on purpose (its channels close with it). */
  close(): void;
}

export function startSshClient(settings: SshClientSettings): Promise<StartedSshClient> {
  const client = new Client();
  const ctx = { destination: settings.destination, triedAuth: settings.offered };
  let refusal: SshccError | undefined;
  // The first error is the cause; ssh2 reports the teardown that follows as errors too.
  let firstError: Error | undefined;
  let endedByUs = false;
  let ready = false;
  let open = true;
  let settleEnded: (reason: SshccError | undefined) => void = () => {};
  const ended = new Promise<SshccError | undefined>((resolve) => {
    settleEnded = resolve;
  });
  const close = (): void => {
    endedByUs = true;
    client.end();
  };

  return new Promise((resolve, reject) => {
    client.on('error', (error: Error & { level?: string }) => {
      // An agent that stops answering mid-auth is not the connection failing; ssh2 goes on to the next method.
      if (error.level !== 'agent') firstError ??= error;
    });
    client.on('ready', () => {
      ready = true;
      resolve({ client, ended, close, isOpen: () => open });
    });
    client.on('close', () => {
      open = false;
      const reason = refusal ?? (firstError === undefined ? undefined : classifySshError(firstError, ctx));
      if (!ready) {
        reject(reason ?? classifySshError(new Error('connection closed during the ssh handshake'), ctx));
        return;
      }
      settleEnded(endedByUs ? undefined : (reason ?? classifySshError(new Error('the server closed the connection'), ctx)));
    });
    client.connect({
      sock: settings.sock,
      username: settings.username,
      hostVerifier: (key: Buffer): boolean => {
        refusal = settings.checkHostKey(key);
        return refusal === undefined;
      },
      algorithms: { serverHostKey: settings.hostKeyAlgorithms },
      authHandler: settings.auth,
      readyTimeout: settings.readyTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: settings.keepaliveCountMax,
    });
  });
}
