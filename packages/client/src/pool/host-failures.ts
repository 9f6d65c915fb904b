import type { SshccError } from '@sshcc/core';
import type { BackoffPolicy, HostTable } from '../hosts';
import { ChannelStartFailure } from './channel-start-failure';
import { classifySshError } from './classify-ssh-error';
import { destinationOf, hasRunningWorkers, rejectWaiters, runningWorkers, type HostChannels } from './host-channels';
import { pauseNewChannels, resumeNewChannels } from './new-channel-pause';
import { endsTheHost } from './pool-errors';
import type { PoolEvent } from './pool-events';
import { closeWorker, retireHost } from './worker-closing';

// What a failure costs a host. A new channel or an extra connection failing beside workers that run
// pauses new channels only. Anything else backs the host off (its HostTable entry counts the failure and
// times the wait; the next acquire() after it probes again), closes its connections, or lets the jobs
// running on them finish, and fails the jobs waiting for it.

export interface HostFailuresOptions<S> {
  readonly table: HostTable;
  readonly policy: BackoffPolicy;
  readonly emit: (event: PoolEvent) => void;
  /** Matches waiting jobs with workers again: run when a pause on new channels ends. */
  readonly pump: (h: HostChannels<S>) => void;
}

export class HostFailures<S> {
  constructor(private readonly options: HostFailuresOptions<S>) {}

  /** A new worker could not be opened: `error` as the opener rejected. */
  workerFailed(h: HostChannels<S>, error: unknown): void {
    const cause = error instanceof ChannelStartFailure ? error.cause : error;
    if (hasRunningWorkers(this.options.table.get(h.host.spec), h) && !endsTheHost(cause)) {
      return this.channelFailed(h, cause, error instanceof ChannelStartFailure ? 'a new worker channel failed and was closed' : 'a new connection failed');
    }
    this.hostFailed(h, cause);
  }

  /** A connection failed or died, or a server failed to start with nothing running beside it. */
  hostFailed(h: HostChannels<S>, failure: unknown): void {
    if (this.options.table.get(h.host.spec).health === 'backoff') return; // several workers failing together are one failure
    this.failHost(h, classifySshError(failure, { destination: destinationOf(this.options.table, h) }), 'close-connections');
  }

  /** A job found the host at fault while its connection is fine: the jobs running there finish. */
  hostFault(h: HostChannels<S>, error: SshccError): void {
    if (this.options.table.get(h.host.spec).health === 'backoff') return;
    this.failHost(h, error, 'let-running-jobs-finish');
  }

  /**
   * One new channel's server, or one extra connection, failed beside running workers: pause new channels;
   * waiters keep waiting. An extra connection is refused for reasons of the moment (sshd's MaxStartups drops
   * a burst of unauthenticated connections, a firewall rate-limits them) while the first one serves on.
   */
  private channelFailed(h: HostChannels<S>, cause: unknown, what: string): void {
    const delayMs = pauseNewChannels(h, this.options.policy, () => this.options.pump(h));
    const why = classifySshError(cause, { destination: destinationOf(this.options.table, h) });
    this.options.emit({
      type: 'note',
      hostId: h.host.spec,
      message: `${what} (${why.message}${why.hint ? `: ${why.hint}` : ''}); the host stays up with ${runningWorkers(h)} running, next new channel in ${Math.ceil(delayMs / 100) / 10} s`,
    });
  }

  /** Backs the host off and fails its waiting jobs; its connections close now, or once the jobs on them finish. */
  private failHost(h: HostChannels<S>, error: SshccError, connections: 'close-connections' | 'let-running-jobs-finish'): void {
    const { table, emit } = this.options;
    const hostId = h.host.spec;
    const wasUp = table.get(hostId).health === 'up';
    resumeNewChannels(h);
    h.channelFailures = 0;
    const delayMs = table.backOff(hostId, error, this.options.policy);
    if (connections === 'close-connections') retireHost(h, 'host-failed', emit);
    else for (const w of h.idle.splice(0)) closeWorker(h, w, 'host-failed', emit);
    if (wasUp) emit({ type: 'host-down', hostId, error });
    const { failures, retryAt } = table.get(hostId);
    emit({ type: 'host-backoff', hostId, error, failures, delayMs, retryAt: retryAt as number });
    rejectWaiters(h, error);
  }
}
