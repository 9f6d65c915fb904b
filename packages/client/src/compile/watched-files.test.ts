import { mkdirSync, mkdtempSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PathWatches } from './path-watches';
import { WatchedFiles } from './watched-files';

/** Waits for the watch to see the change (an event, not a deadline: jest's own timeout ends a miss). */
async function changed(watched: WatchedFiles, file: string, from: string): Promise<void> {
  while (watched.stampOf(file) === from) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('WatchedFiles', () => {
  let dir: string;
  let watches: PathWatches;
  let watched: WatchedFiles;
  let stats: string[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sshcc-watched-'));
    stats = [];
    watches = new PathWatches();
    watched = new WatchedFiles(watches, (file) => {
      stats.push(file);
      return 'stamp';
    });
  });

  afterEach(() => {
    watches.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees an editor save (a temp file renamed over the old one) and stats nothing per ask', async () => {
    const hosts = path.join(dir, 'hosts');
    writeFileSync(hosts, '@a/4\n');
    const first = watched.stampOf(hosts);
    for (let i = 0; i < 1000; i++) expect(watched.stampOf(hosts)).toBe(first);
    writeFileSync(path.join(dir, 'hosts.tmp'), '@b/4\n');
    renameSync(path.join(dir, 'hosts.tmp'), hosts);
    await changed(watched, hosts, first);
    expect(stats).toEqual([]);
  });

  it('sees a write in place, and a file created after the first ask', async () => {
    const hosts = path.join(dir, 'hosts');
    const absent = watched.stampOf(hosts);
    writeFileSync(hosts, '@a/4\n');
    await changed(watched, hosts, absent);
    const created = watched.stampOf(hosts);
    writeFileSync(hosts, '@a/8\n', { flag: 'a' });
    await changed(watched, hosts, created);
    expect(stats).toEqual([]);
  });

  it('ignores other files in the directory', async () => {
    const hosts = path.join(dir, 'hosts');
    const before = watched.stampOf(hosts);
    writeFileSync(path.join(dir, 'config.json'), '{}');
    // A change to the file itself afterwards proves the first event has been delivered by then.
    writeFileSync(hosts, '@a/4\n');
    await changed(watched, hosts, before);
    const after = watched.stampOf(hosts);
    writeFileSync(path.join(dir, 'other'), 'x');
    writeFileSync(path.join(dir, 'hosts'), '@a/5\n');
    await changed(watched, hosts, after);
    expect(stats).toEqual([]);
  });

  it('watches a file whose directory does not exist yet through the directory above', async () => {
    const hosts = path.join(dir, 'not-yet', 'hosts');
    const absent = watched.stampOf(hosts);
    mkdirSync(path.dirname(hosts));
    await changed(watched, hosts, absent);
    const made = watched.stampOf(hosts);
    writeFileSync(hosts, '@a/4\n');
    await changed(watched, hosts, made);
    expect(stats).toEqual([]);
  });

  it('stats on every ask where the file cannot be watched, and never gives a stamp twice', () => {
    let watchable = true;
    const flaky = new PathWatches({
      watch: (at, listener) => {
        if (!watchable) throw new Error('ENOSPC');
        return watch(at, { persistent: false }, listener);
      },
    });
    let stamp = 'absent';
    const fallback = new WatchedFiles(flaky, (file) => {
      stats.push(file);
      return stamp;
    });
    try {
      const hosts = path.join(dir, 'hosts');
      const first = fallback.stampOf(hosts);
      flaky.close();
      watchable = false;
      const seen = [first, fallback.stampOf(hosts)];
      stamp = 'written';
      seen.push(fallback.stampOf(hosts));
      expect(stats).toEqual([hosts, hosts]);
      watchable = true;
      seen.push(fallback.stampOf(hosts));
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      flaky.close();
    }
  });
});
