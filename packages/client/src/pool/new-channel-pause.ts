import { backoffDelayMs, type BackoffPolicy } from '../hosts';
import type { HostChannels } from './host-channels';

// A new channel's server that failed to start, or an extra connection refused, beside workers that run
// costs the host no backoff: only new channels wait, doubling like a backoff, while the running workers
// serve the waiting jobs. A success resets the count (the pool sets channelFailures to 0).

/** Pauses new channels on the host after one more such failure; `onEnd` runs when the pause is over. Returns the pause (ms). */
export function pauseNewChannels<S>(h: HostChannels<S>, policy: BackoffPolicy, onEnd: () => void): number {
  h.channelFailures++;
  const delayMs = backoffDelayMs(h.channelFailures, policy);
  resumeNewChannels(h);
  h.opensPaused = setTimeout(() => {
    h.opensPaused = undefined;
    onEnd();
  }, delayMs);
  // Only a pause: close() and a backoff clear it, and it must not keep a finished process alive.
  h.opensPaused.unref();
  return delayMs;
}

/** Ends a pause on new channels, without calling its `onEnd`. */
export function resumeNewChannels<S>(h: HostChannels<S>): void {
  if (h.opensPaused === undefined) return;
  clearTimeout(h.opensPaused);
  h.opensPaused = undefined;
}
