// A channel was opened on a live connection but sshcc-server on it did not start or answer its hello in
// time. On a host whose other channels run, that is this channel's failure (a burst of server starts on a
// loaded volunteer is slow), not the host's; the pool decides which, so openWorker only marks the kind.

/** sshcc-server failed to start on one channel while its connection stayed open; `cause` is why. */
export class ChannelStartFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
