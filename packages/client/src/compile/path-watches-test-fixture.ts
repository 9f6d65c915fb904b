// Test support for the tests of what PathWatches keeps (not used by sshcc itself).
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PathWatches, type WatchDir } from './path-watches';

/**
 * Until a poll phase of the event loop has passed, which delivers every inotify event queued before it, as
 * one does before a new compile's request is read. Two immediates: the first may run in this turn.
 */
export async function turn(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A watch that never reports anything: a kept value with no invalidation, which the tests' changes must defeat. */
export const deafWatch: WatchDir = () => Object.assign(new EventEmitter(), { close: () => undefined }) as unknown as FSWatcher;

/** Gives each test of the file (or describe) a fresh temp dir and PathWatches; closed and removed after it. */
export function withWatchedTempDir(prefix: string, use: (made: { dir: string; watches: PathWatches }) => void): void {
  let made: { dir: string; watches: PathWatches };
  beforeEach(() => {
    made = { dir: mkdtempSync(path.join(tmpdir(), prefix)), watches: new PathWatches() };
    use(made);
  });
  afterEach(() => {
    made.watches.close();
    rmSync(made.dir, { recursive: true, force: true });
  });
}
