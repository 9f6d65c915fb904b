// The waiters of one queue, oldest first. A waiter is a promise: nothing here sleeps or polls; the
// owner calls `serve` whenever something may have freed (a release, a host coming back).

interface Entry<R, G> {
  readonly request: R;
  readonly resolve: (grant: G) => void;
  readonly detach: () => void;
}

export class WaitQueue<R, G> {
  // A Set keeps insertion order and deletes in O(1), so a cancelled waiter leaves at once.
  private readonly entries = new Set<Entry<R, G>>();

  get size(): number {
    return this.entries.size;
  }

  /**
   * Joins the queue. Resolves with the grant `serve` hands this waiter; if `signal` aborts first, the
   * waiter leaves the queue immediately, never receives a grant, and the promise rejects with the
   * signal's reason. Once granted, the caller owns the grant even if the signal aborts later.
   */
  wait(request: R, signal?: AbortSignal, onCancel?: () => void): Promise<G> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<G>((resolve, reject) => {
      const onAbort = (): void => {
        this.entries.delete(entry);
        onCancel?.();
        reject(signal!.reason);
      };
      const entry: Entry<R, G> = {
        request,
        resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.entries.add(entry);
    });
  }

  /**
   * Offers each waiter, oldest first, to `grant`, with the number of waiters still queued ahead of it. A
   * waiter that gets a grant leaves the queue; one that gets `undefined` (nothing fits it, e.g. its free
   * host is one it avoids) keeps its place, and the next waiter is asked. Stops as soon as
   * `capacityLeft()` says nothing is free.
   */
  serve(grant: (request: R, ahead: number) => G | undefined, capacityLeft: () => boolean): void {
    let ahead = 0;
    for (const entry of this.entries) {
      if (!capacityLeft()) return;
      const granted = grant(entry.request, ahead);
      if (granted === undefined) {
        ahead++;
        continue;
      }
      this.entries.delete(entry);
      entry.detach();
      entry.resolve(granted);
    }
  }
}
