import type { ClientChannel } from 'ssh2';
import type { ServerMode } from '../hosts';

/** One channel running sshcc-server, lent to one job at a time by SshPool.acquire(). */
export interface PoolWorker<S> {
  readonly id: number;
  readonly hostId: string;
  /** What the handshake returned: the protocol session jobs run on. */
  readonly session: S;
  readonly channel: ClientChannel;
  readonly mode: ServerMode;
  readonly connectionId: number;
  /** The last bytes sshcc-server wrote to stderr, for a crash message. */
  stderrTail(): string;
}

/** The pool's own record of a worker; `closed` flips once, when its channel is gone or being closed. */
export class WorkerRecord<S> implements PoolWorker<S> {
  closed = false;

  constructor(
    readonly id: number,
    readonly hostId: string,
    readonly session: S,
    readonly channel: ClientChannel,
    readonly mode: ServerMode,
    readonly connectionId: number,
    readonly stderrTail: () => string,
  ) {}
}
