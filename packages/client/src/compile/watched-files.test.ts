import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { WatchedFiles } from './watched-files';

/** Waits for the watch to see the change (an event, not a deadline: jest's own timeout ends a miss). */
async function changed(watched: WatchedFiles, file: string, from: string): Promise<void> {
  while (watched.stampOf(file) === from) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('WatchedFiles', () => {
  let dir: string;
  let watched: WatchedFiles;
  let stats: string[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sshcc-watched-'));
    stats = [];
    watched = new WatchedFiles({
      stat: (file) => {
        stats.push(file);
        return 'stamp';
      },
    });
  });

  afterEach(() => {
    watched.close();
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

  it('stats at most once a second where the directory cannot be watched, and watches it once it exists', async () => {
    let now = 0;
    let stamp = 'absent';
    const fallback = new WatchedFiles({
      now: () => now,
      stat: (file) => {
        stats.push(file);
        return stamp;
      },
    });
    try {
      const hosts = path.join(dir, 'not-yet', 'hosts');
      const first = fallback.stampOf(hosts);
      for (let i = 0; i < 100; i++) fallback.stampOf(hosts);
      expect(stats).toHaveLength(1);
      stamp = 'written';
      expect(fallback.stampOf(hosts)).toBe(first);
      now += 1000;
      const seen = fallback.stampOf(hosts);
      expect(seen).not.toBe(first);
      expect(stats).toHaveLength(2);
      // The directory appears: from the next check on it is watched, and stat'ed no more.
      mkdirSync(path.dirname(hosts));
      now += 1000;
      const watchedNow = fallback.stampOf(hosts);
      expect(stats).toHaveLength(3);
      now += 5000;
      for (let i = 0; i < 100; i++) fallback.stampOf(hosts);
      expect(stats).toHaveLength(3);
      writeFileSync(hosts, '@a/4\n');
      await changed(fallback, hosts, watchedNow);
    } finally {
      fallback.close();
    }
  });
});
