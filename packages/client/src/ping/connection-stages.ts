import type { SshccError } from '@sshcc/core';

/** How far a connection got: true passed, false failed there, null never got there. */
export interface ConnectionStages {
  readonly reachable: boolean | null;
  readonly hostKeyOk: boolean | null;
  readonly authOk: boolean | null;
}

const ALL_PASSED: ConnectionStages = { reachable: true, hostKeyOk: true, authOk: true };
const NOT_TRIED: ConnectionStages = { reachable: null, hostKeyOk: null, authOk: null };

/**
 * Reads the stages off the failure the pool reported. ssh checks the host key before it authenticates,
 * so an auth refusal means the key was fine. Errors that came from the server carry the ssh2/net error
 * as their cause (classifySshError); an auth error without one is "no key to offer", found before
 * dialling.
 */
export function connectionStages(failure: SshccError | null, connected: boolean): ConnectionStages {
  if (connected || failure === null) return ALL_PASSED;
  switch (failure.code) {
    case 'connect':
    case 'timeout':
      return { reachable: false, hostKeyOk: null, authOk: null };
    case 'host-key':
      return { reachable: true, hostKeyOk: false, authOk: null };
    case 'auth':
      return failure.cause === undefined ? { reachable: null, hostKeyOk: null, authOk: false } : { reachable: true, hostKeyOk: true, authOk: false };
    case 'protocol':
      // The ssh handshake itself failed: the server answered, nothing after that is known.
      return { reachable: true, hostKeyOk: null, authOk: null };
    default:
      return NOT_TRIED;
  }
}
