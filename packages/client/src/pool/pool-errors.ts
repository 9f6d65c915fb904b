import { isSshccError, SshccError } from '@sshcc/core';
import { meansUnreachable } from './classify-ssh-error';

export function unknownHostError(hostId: string): SshccError {
  return new SshccError('internal', `the pool has no host ${hostId}`);
}

export function poolClosedError(): SshccError {
  return new SshccError('connect', 'the connection pool is closed');
}

/**
 * A new connection's failure that fails the whole host even beside running workers: the machine stopped
 * answering (its running workers would only wait for their keepalives, and jobs queued for it with them),
 * or it presents a key its known_hosts line does not vouch for (the name may now lead elsewhere).
 */
export function endsTheHost(error: unknown): boolean {
  return meansUnreachable(error) || (isSshccError(error) && error.code === 'host-key');
}
