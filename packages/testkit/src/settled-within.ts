// For the fault tests: whether a promise is held up (a stopped peer, a paused link) shows as
// 'pending' after a while, and its value once the fault is lifted.

/** Resolves with how the promise settled, or 'pending' if it did not within `ms`. */
export async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<'pending' | { value: T }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
