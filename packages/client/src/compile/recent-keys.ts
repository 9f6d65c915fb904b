/**
 * The cache key each recent command line last had, newest last, at most `capacity` of them. It says
 * whether a job is likely a cache hit before its preprocessor has ended: such a job is not streamed,
 * so a rebuild from the cache sends nothing.
 */
export class RecentKeys {
  private readonly keys = new Map<string, string>();

  /** `entries`: oldest first, as entries() gives them. */
  constructor(
    private readonly capacity: number,
    entries: Iterable<readonly [string, string]> = [],
  ) {
    for (const [command, key] of entries) this.set(command, key);
  }

  get(command: string): string | undefined {
    return this.keys.get(command);
  }

  set(command: string, key: string): void {
    // Deleted first so the entry moves to the newest end of the Map's insertion order.
    this.keys.delete(command);
    this.keys.set(command, key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value as string);
  }

  /** Oldest first. */
  entries(): [string, string][] {
    return [...this.keys];
  }
}
