import { statSync, type Stats } from 'node:fs';

/**
 * For AgentOptions.superseded: a check that says why once `file` (the script this agent runs from) is no
 * longer the file it started from: an upgrade put a new one there (npm replaces the package folder), a
 * rebuild rewrote it, or an uninstall removed it. One stat per connection (~10 µs), so an upgraded client
 * meets an agent of its own version at its next compile, not after the old one idles out.
 */
export function entryReplaced(file: string, stat: (path: string) => Stats = statSync): () => string | null {
  const identity = (): string | null => {
    try {
      const s = stat(file);
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return null;
    }
  };
  const started = identity();
  return () => {
    if (started === null) return null; // nothing to compare with (not run from a file)
    const now = identity();
    if (now === started) return null;
    return now === null ? `${file}, which this agent runs from, was removed` : `${file}, which this agent runs from, was replaced`;
  };
}
