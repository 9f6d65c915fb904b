import { SshccError } from '@sshcc/core';

/**
 * A peer broke the protocol: a bad frame, an invalid message, a message out of turn, a stream that
 * ended too early. The connection cannot be trusted afterwards, so whoever sees one drops it.
 */
export class ProtocolError extends SshccError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('protocol', message, options);
    this.name = 'ProtocolError';
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}
