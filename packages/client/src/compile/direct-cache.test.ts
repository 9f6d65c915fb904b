import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectCache } from './direct-cache';

const KEY = 'ab'.repeat(32);
const RESULT = 'cd'.repeat(32);
/** Every file written before this counts as settled long before the compile "started". */
const LATER = () => Date.now() + 60_000;

let dir: string;
let src: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-direct-'));
  src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'a.c'), '#include "h.h"\nint a = H;\n');
  writeFileSync(join(src, 'h.h'), '#define H 1\n');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Waits until files written like `path` count as settled: 50 ms, or 2 s where ctimes are whole seconds. */
async function settle(path: string): Promise<void> {
  const coarse = statSync(path, { bigint: true }).ctimeNs % 1_000_000_000n === 0n;
  await new Promise((resolve) => setTimeout(resolve, coarse ? 2_100 : 60));
}

const cpp = (text: string, stderr = '') => ({ stdout: Buffer.from(text), stderr: Buffer.from(stderr) });
const at = (startedMs: number, depFile: string | null = null) => ({ cwd: src, startedMs, depFile });
const MARKED = '# 0 "a.c"\n# 0 "<built-in>"\n# 1 "a.c"\n# 1 "h.h" 1\n# 2 "a.c" 2\nint a = H;\n';

describe('DirectCache', () => {
  it('records what cpp read and finds the result key while the files are unchanged, touched or not', () => {
    const cache = new DirectCache({ dir: join(dir, 'manifests'), random: () => 1 });
    expect(cache.lookup(KEY)).toBeNull();
    expect(cache.record(KEY, cpp(MARKED), RESULT, at(LATER()))).toBe('recorded');
    expect(cache.record(KEY, cpp(MARKED), RESULT, at(LATER()))).toBe('unchanged');
    expect(cache.lookup(KEY)?.resultKey).toBe(RESULT);
    utimesSync(join(src, 'h.h'), new Date(2000, 0, 1), new Date(2000, 0, 1));
    expect(cache.lookup(KEY)?.resultKey).toBe(RESULT);
    // A fresh process (no hashes remembered) reads the same manifest.
    expect(new DirectCache({ dir: join(dir, 'manifests') }).lookup(KEY)?.resultKey).toBe(RESULT);
  });

  it('misses once a file has other bytes, or is gone', () => {
    const cache = new DirectCache({ dir: join(dir, 'manifests'), random: () => 1 });
    cache.record(KEY, cpp(MARKED), RESULT, at(LATER()));
    writeFileSync(join(src, 'h.h'), '#define H 2\n');
    expect(cache.lookup(KEY)).toBeNull();
    rmSync(join(src, 'h.h'));
    expect(cache.lookup(KEY)).toBeNull();
  });

  it.each([
    ['cpp printed diagnostics (a direct hit could not print them)', cpp(MARKED, 'a.c:1:2: warning: #warning x\n'), 'cpp-stderr'],
    ['the source uses __TIME__', cpp(`${MARKED}const char *t = __TIME__;\n`), 'time-macro'],
    ['the source uses __DATE__', cpp(`${MARKED}const char *d = __DATE__;\n`), 'time-macro'],
    ['the source uses __TIMESTAMP__', cpp(`${MARKED}const char *s = __TIMESTAMP__;\n`), 'time-macro'],
    ['the source embeds a file (#embed: no marker names it)', cpp(`${MARKED}const char data[] = {\n#embed "blob.bin"\n};\n`), 'unmarked-read'],
    ['a header asks __has_embed', cpp(`${MARKED}#if __has_embed("blob.bin")\n#endif\n`), 'unmarked-read'],
    ['inline assembly includes a file (.incbin)', cpp(`${MARKED}__asm__(".incbin \\"blob.bin\\"");\n`), 'unmarked-read'],
    ['a marker cannot be read', cpp('# 1 "a\\qb.h"\n'), 'markers'],
    ['a marker names no file', cpp('# 1 "a.c"\n# 1 "gone.h" 1\n'), 'unreadable'],
  ])('records nothing when %s', (_name, run, outcome) => {
    const cache = new DirectCache({ dir: join(dir, 'manifests') });
    expect(cache.record(KEY, run, RESULT, at(LATER()))).toBe(outcome);
    expect(cache.lookup(KEY)).toBeNull();
  });

  it('still records a stream that only mentions the word (an embedded comment)', () => {
    const cache = new DirectCache({ dir: join(dir, 'manifests') });
    expect(cache.record(KEY, cpp(`${MARKED}/* for embedded targets */ int embed_count;\n`), RESULT, at(LATER()))).toBe('recorded');
  });

  it('records nothing when a file changed after its compile started: cpp may have read other bytes than are hashed now', () => {
    const cache = new DirectCache({ dir: join(dir, 'manifests') });
    expect(cache.record(KEY, cpp(MARKED), RESULT, at(Date.now() - 60_000))).toBe('file-changed');
    expect(cache.lookup(KEY)).toBeNull();
  });

  it('keeps the dependency file this cpp run wrote, and gives it back with the result key; a stale one is not recorded', async () => {
    const cache = new DirectCache({ dir: join(dir, 'manifests') });
    const depFile = join(src, 'a.d');
    writeFileSync(depFile, 'a.o: old.h\n');
    await settle(join(src, 'h.h'));
    const started = Date.now();
    // Left as an earlier run wrote it: this run's cpp did not write it.
    expect(cache.record(KEY, cpp(MARKED), RESULT, at(started, depFile))).toBe('dep-file');
    writeFileSync(depFile, 'a.o: a.c h.h\n');
    expect(cache.record(KEY, cpp(MARKED), RESULT, at(started, depFile))).toBe('recorded');
    expect(cache.lookup(KEY)).toEqual({ resultKey: RESULT, depFile: Buffer.from('a.o: a.c h.h\n') });
  });

  it('ignores a damaged or foreign manifest file (a miss), and a record replaces it', () => {
    const cache = new DirectCache({ dir: join(dir, 'manifests') });
    mkdirSync(join(dir, 'manifests', KEY.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, 'manifests', KEY.slice(0, 2), KEY), '{"version":1,"entries":[{"files":[],"resultKey":"nope"}]}');
    expect(cache.lookup(KEY)).toBeNull();
    expect(cache.record(KEY, cpp(MARKED), RESULT, at(LATER()))).toBe('recorded');
    expect(cache.lookup(KEY)?.resultKey).toBe(RESULT);
  });

  it('keeps at most its limit of manifests, the least recently used going first, and leaves no temp files', async () => {
    const cache = new DirectCache({ dir: join(dir, 'manifests'), maxManifests: 10, random: () => 0 });
    const keys = Array.from({ length: 12 }, (_, i) => i.toString(16).padStart(64, '0'));
    for (const key of keys) {
      cache.record(key, cpp(MARKED), RESULT, at(LATER()));
      await cache.settled();
    }
    const kept = readdirSync(join(dir, 'manifests'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(kept.every((entry) => /^[0-9a-f]{64}$/.test(entry.name))).toBe(true);
    expect(cache.lookup(keys[11] as string)?.resultKey).toBe(RESULT);
  });
});
