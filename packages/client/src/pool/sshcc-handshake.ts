import { clientHandshake, type ClientOptions, type ClientSession } from '@sshcc/protocol';
import type { WorkerHandshake } from './open-worker-channel';

/**
 * The pool's handshake for real sshcc-server channels: the protocol's client hello. `options` may depend
 * on the host (a `,nozstd` host spec asks for no compression).
 */
export function sshccHandshake(options: ClientOptions | ((hostId: string) => ClientOptions) = {}): WorkerHandshake<ClientSession> {
  return (channel, info) => clientHandshake(channel, typeof options === 'function' ? options(info.hostId) : options);
}
