import { statSync, type Stats } from 'node:fs';
import type { PathWatches, Validity } from '../compile/path-watches';

/**
 * For AgentOptions.superseded: a check that says why once `file` (the script this agent runs from) is no
 * longer the file it started from: an upgrade put a new one there (npm replaces the package folder), a
 * rebuild rewrote it, or an uninstall removed it, so an upgraded client meets an agent of its own version
 * at its next compile, not after the old one idles out. With `watches`, the file is stat'ed again only
 * once a change to it was seen (the event comes before the next connection); without, on every call.
 */
export function entryReplaced(file: string, stat: (path: string) => Stats = statSync, watches: PathWatches | null = null): () => string | null {
  const identity = (): string | null => {
    try {
      const s = stat(file);
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return null;
    }
  };
  const started = identity();
  let unchanged: Validity | null = null;
  return () => {
    if (started === null) return null; // nothing to compare with (not run from a file)
    if (unchanged?.valid) return null;
    // Watched before the stat: a change after it is seen.
    unchanged = watches?.cover([file]) ?? null;
    const now = identity();
    if (now === started) return null;
    unchanged?.end();
    return now === null ? `${file}, which this agent runs from, was removed` : `${file}, which this agent runs from, was replaced`;
  };
}
