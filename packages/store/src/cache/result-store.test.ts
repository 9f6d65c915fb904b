import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultStore, type CachedResult } from '@sshcc/store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const key = (n: number) => n.toString(16).padStart(64, '0');
const result = (object: string, size = object.length): CachedResult => ({
  exitCode: 0,
  stdout: Buffer.alloc(0),
  stderr: Buffer.from('warning: w\n'),
  outputs: [{ name: 'a.o', data: Buffer.alloc(size, object) }],
});
const entryPath = (k: string) => join(dir, k.slice(0, 2), k);

describe('ResultStore', () => {
  // Entries up to 1 MiB are read synchronously, larger ones through the promise API: both ways.
  it.each([
    ['a small entry', 1],
    ['an entry past 1 MiB', 1100 * 1024],
  ])('stores and finds %s; counts a miss, a store and a hit', async (_name, size) => {
    const store = new ResultStore({ dir, random: () => 1 });
    expect(await store.get(key(1))).toBeNull();
    expect(await store.put(key(1), result('x', size))).toBe(true);
    expect(await store.get(key(1))).toEqual(result('x', size));
    expect(await store.stats()).toMatchObject({ hits: 1, misses: 1, stores: 1, evictions: 0, corrupt: 0, entries: 1 });
  });

  it('has() says whether an entry is there without counting a hit or a miss', async () => {
    const store = new ResultStore({ dir, random: () => 1 });
    expect(await store.has(key(2))).toBe(false);
    expect(await store.has('not-a-key')).toBe(false);
    await store.put(key(2), result('y'));
    expect(await store.has(key(2))).toBe(true);
    expect(await store.stats()).toMatchObject({ hits: 0, misses: 0, stores: 1 });
  });

  it('stores only successful compiles with outputs, and only under a sha256 key', async () => {
    const store = new ResultStore({ dir });
    expect(await store.put(key(1), { ...result('x'), exitCode: 1 })).toBe(false);
    expect(await store.put(key(1), { ...result('x'), outputs: [] })).toBe(false);
    expect(await store.put('../../etc/passwd', result('x'))).toBe(false);
    expect((await store.size()).entries).toBe(0);
  });

  it.each([
    ['truncated', (file: string) => writeFileSync(file, readFileSync(file).subarray(0, 60))],
    ['with a flipped byte', (file: string) => {
      const data = readFileSync(file);
      data[data.length - 3] ^= 0xff;
      writeFileSync(file, data);
    }],
    ['emptied', (file: string) => writeFileSync(file, '')],
  ])('an entry %s is a miss, is deleted and is counted corrupt', async (_what, damage) => {
    const store = new ResultStore({ dir });
    await store.put(key(2), result('y', 1000));
    damage(entryPath(key(2)));
    expect(await store.get(key(2))).toBeNull();
    expect(() => statSync(entryPath(key(2)))).toThrow('ENOENT');
    expect(await store.stats()).toMatchObject({ corrupt: 1, misses: 1, hits: 0, entries: 0 });
  });

  it('evicts the least recently used entries once over its limit, down to 90%', async () => {
    const store = new ResultStore({ dir, maxBytes: 10_000, random: () => 1 });
    for (let i = 1; i <= 8; i++) {
      await store.put(key(i), result('z', 1000));
      // Distinct ages: entry i last used i minutes after the epoch of this test.
      utimesSync(entryPath(key(i)), new Date(i * 60_000), new Date(i * 60_000));
    }
    // A hit makes entry 1 the most recently used.
    expect(await store.get(key(1))).not.toBeNull();
    const always = new ResultStore({ dir, maxBytes: 10_000, random: () => 0 });
    for (let i = 9; i <= 12; i++) await always.put(key(i), result('z', 1000));
    await always.settled();
    const left = readdirSync(join(dir, '00')).sort();
    const size = await store.size();
    expect(size.bytes).toBeLessThanOrEqual(10_000);
    expect(left).toContain(key(1));
    expect(left).not.toContain(key(2));
    expect(left).toContain(key(12));
    expect((await store.stats()).evictions).toBe(12 - size.entries);
  });

  it('a scan asked for while one runs is run after it, so the stores it did not list still count', async () => {
    let scanned!: () => void;
    const firstScanDone = new Promise<void>((resolve) => (scanned = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first scan ends only after the later stores, as a slow scan does under load.
    class HeldStore extends ResultStore {
      scans = 0;
      override async evict(): Promise<number> {
        const evicted = await super.evict();
        if (++this.scans === 1) {
          scanned();
          await held;
        }
        return evicted;
      }
    }
    const store = new HeldStore({ dir, maxBytes: 10_000, random: () => 0 });
    await store.put(key(1), result('z', 1000));
    await firstScanDone;
    for (let i = 2; i <= 12; i++) await store.put(key(i), result('z', 1000));
    release();
    await store.settled();
    expect(store.scans).toBe(2);
    expect((await store.size()).bytes).toBeLessThanOrEqual(10_000);
  });

  it('scans for eviction with a chance proportional to the bytes stored', async () => {
    const draws: number[] = [];
    const store = new ResultStore({ dir, maxBytes: 64 * 100_000, random: () => (draws.push(0), 0.5) });
    await store.put(key(1), result('q', 1000)); // 1000+header bytes * 64 / 6.4 MB: far below 0.5
    await store.settled();
    expect(draws).toHaveLength(1);
    expect((await store.stats()).evictions).toBe(0);
  });

  it('clear removes every entry and keeps the counters', async () => {
    const store = new ResultStore({ dir });
    await store.put(key(1), result('a'));
    await store.put(key(0x1000), result('b'));
    expect(await store.clear()).toMatchObject({ entries: 2 });
    expect(await store.size()).toEqual({ entries: 0, bytes: 0 });
    expect((await store.stats()).stores).toBe(2);
    expect(await store.get(key(1))).toBeNull();
  });

  it('many processes storing and reading the same keys at once lose nothing and count every event', async () => {
    const script = `
      const { ResultStore } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'cache', 'result-store.js'))});
      (async () => {
        const store = new ResultStore({ dir: process.argv[1], maxBytes: 1e9 });
        for (let i = 0; i < 40; i++) {
          const k = (i % 10).toString(16).padStart(64, '0');
          if (!(await store.get(k))) await store.put(k, { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), outputs: [{ name: 'o', data: Buffer.alloc(50000, i % 10) }] });
        }
      })();`;
    await Promise.all(
      Array.from({ length: 6 }, () => new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script, dir], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
      })),
    );
    const store = new ResultStore({ dir });
    for (let i = 0; i < 10; i++) expect((await store.get(key(i)))?.outputs[0]?.data).toEqual(Buffer.alloc(50000, i));
    const stats = await store.stats();
    expect(stats.entries).toBe(10);
    expect(stats.corrupt).toBe(0);
    // 6 × 40 lookups, plus the 10 above; every miss was followed by a store.
    expect(stats.hits + stats.misses).toBe(250);
    expect(stats.stores).toBe(stats.misses);
    expect(readdirSync(join(dir, '00')).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  }, 30_000);
});
