// Everything the testkit started in this process, so `stopAll()` (afterAll) can end it and a test run that
// dies without cleaning up still leaves no sshd behind.
export interface Tracked {
  /** Graceful end: processes gone, sockets closed, files removed. */
  stop(): Promise<void>;
  /** Last resort from the process 'exit' hook: must be synchronous. */
  killSync(): void;
}

const live = new Set<Tracked>();
let hooked = false;

function onExit(): void {
  for (const item of live) {
    try {
      item.killSync();
    } catch {
      // Keep going: the other volunteers still need killing.
    }
  }
}

export function track(item: Tracked): void {
  if (!hooked) {
    process.on('exit', onExit);
    hooked = true;
  }
  live.add(item);
}

export function untrack(item: Tracked): void {
  live.delete(item);
}

/** Stops every volunteer, proxy and client config this process started through the testkit. */
export async function stopAll(): Promise<void> {
  const items = [...live];
  const results = await Promise.allSettled(items.map((item) => item.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
