// close() waits for the pool's connections to end, those still being dialled when it was called included.

/** What close() waits for: connections being made, and open ones until they end. */
export class ConnectionEnds {
  private readonly pending = new Set<Promise<unknown>>();

  /** Keeps settle() waiting for `work`; also keeps an unused rejection from being reported unhandled. */
  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
  }

  /** Waits until all tracked work has settled, or `ms` have passed. */
  async settle(ms: number): Promise<void> {
    // A connection still dialling is closed as it arrives and joins the set then, hence the loop.
    const deadline = Date.now() + ms;
    while (this.pending.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
      await Promise.race([Promise.allSettled([...this.pending]), giveUp]);
      clearTimeout(timer);
    }
  }
}
