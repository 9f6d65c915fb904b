import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepStaleJobDirs } from './sweep-stale-job-dirs';

let tmp: string;
beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'sshcc-sweep-test-'))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const HOUR_MS = 60 * 60 * 1000;

function aged(name: string, ageMs: number, now: number, kind: 'dir' | 'file' = 'dir'): string {
  const path = join(tmp, name);
  if (kind === 'dir') {
    mkdirSync(path);
    writeFileSync(join(path, 'x.i'), 'int x;\n');
  } else {
    writeFileSync(path, '');
  }
  const when = (now - ageMs) / 1000;
  utimesSync(path, when, when);
  return path;
}

test('removes job dirs untouched for longer than the limit, and nothing else', async () => {
  const now = Date.now();
  const stale = aged('sshcc-job-old123', 2 * HOUR_MS, now);
  aged('sshcc-job-live45', 60_000, now);
  aged('other-old-dir', 2 * HOUR_MS, now);
  aged('sshcc-job-file', 2 * HOUR_MS, now, 'file');
  expect(await sweepStaleJobDirs(tmp, HOUR_MS, now)).toEqual([stale]);
  expect(readdirSync(tmp).sort()).toEqual(['other-old-dir', 'sshcc-job-file', 'sshcc-job-live45']);
});

test("a live server's dir stays however old (an idle channel's workspace); a dead one's goes", async () => {
  const now = Date.now();
  aged(`sshcc-job-${process.pid}-live12`, 2 * HOUR_MS, now);
  const dead = aged('sshcc-job-2147483646-dead12', 2 * HOUR_MS, now);
  expect(await sweepStaleJobDirs(tmp, HOUR_MS, now)).toEqual([dead]);
});

test('a missing TMPDIR is nothing to sweep', async () => {
  expect(await sweepStaleJobDirs(join(tmp, 'absent'), HOUR_MS)).toEqual([]);
});
