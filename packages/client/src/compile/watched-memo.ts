import type { Validity } from './path-watches';

/** Entries kept at once; the oldest goes past it (a build asks about a handful of compilers and files). */
const MAX_ENTRIES = 64;

/** Values worked out from files, each kept while the Validity PathWatches gave for those files holds. */
export class WatchedMemo<V> {
  private readonly known = new Map<string, { readonly value: V; readonly validity: Validity }>();

  /** The value, if one is kept and nothing it came from has changed since. */
  get(key: string): { readonly value: V } | undefined {
    const known = this.known.get(key);
    if (known === undefined || known.validity.valid) return known;
    this.known.delete(key);
    return undefined;
  }

  set(key: string, value: V, validity: Validity): void {
    this.known.get(key)?.validity.end();
    this.known.delete(key);
    this.known.set(key, { value, validity });
    if (this.known.size > MAX_ENTRIES) {
      const [oldestKey, oldest] = this.known.entries().next().value as [string, { validity: Validity }];
      this.known.delete(oldestKey);
      oldest.validity.end();
    }
  }

  /** Forgets the value (one found wrong after it was kept). */
  delete(key: string): void {
    this.known.get(key)?.validity.end();
    this.known.delete(key);
  }
}
