import { MAX_MANIFEST_ENTRIES, ManifestSchema, matchingEntry, withEntry, type FileProbe, type FileStat, type Manifest, type ManifestEntry } from './direct-manifest';

const stat = (mtimeNs: string, ino = '7'): FileStat => ({ dev: '1', ino, size: '10', mtimeNs, ctimeNs: mtimeNs });
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const KEY_1 = '1'.repeat(64);
const KEY_2 = '2'.repeat(64);

const entry = (resultKey: string, files: [string, string, FileStat][]): ManifestEntry => ({ resultKey, files: files.map(([path, sha256, s]) => ({ path, sha256, stat: s })) });

/** A file system of path → [stat, sha256]; counts what it was asked. */
function fakeFs(files: Record<string, [FileStat, string]>): FileProbe & { hashed: string[] } {
  const hashed: string[] = [];
  return {
    hashed,
    stat: (path) => files[path]?.[0] ?? null,
    sha256: (path) => {
      hashed.push(path);
      return files[path]?.[1] ?? null;
    },
  };
}

describe('matchingEntry', () => {
  const manifest: Manifest = {
    version: 1,
    entries: [entry(KEY_1, [['/src/a.c', HASH_A, stat('100')], ['/src/h.h', HASH_A, stat('100', '8')]])],
  };

  it.each<[string, Record<string, [FileStat, string]>, string | null, string[]]>([
    ['every file with its recorded stat: a match, nothing read', { '/src/a.c': [stat('100'), HASH_A], '/src/h.h': [stat('100', '8'), HASH_A] }, KEY_1, []],
    ['a touched file (new stat, same bytes): re-hashed, still a match', { '/src/a.c': [stat('100'), HASH_A], '/src/h.h': [stat('200', '8'), HASH_A] }, KEY_1, ['/src/h.h']],
    ['a file with other bytes: no match', { '/src/a.c': [stat('100'), HASH_A], '/src/h.h': [stat('200', '8'), HASH_B] }, null, ['/src/h.h']],
    ['a file replaced by another inode with the same bytes: re-hashed, a match', { '/src/a.c': [stat('100'), HASH_A], '/src/h.h': [stat('100', '9'), HASH_A] }, KEY_1, ['/src/h.h']],
    ['a file gone: no match', { '/src/a.c': [stat('100'), HASH_A] }, null, []],
  ])('%s', (_name, files, key, hashed) => {
    const fs = fakeFs(files);
    expect(matchingEntry(manifest, fs)?.resultKey ?? null).toBe(key);
    expect(fs.hashed).toEqual(hashed);
  });

  it('takes the newest entry that matches, asking about a file shared by entries once', () => {
    const twoStates: Manifest = {
      version: 1,
      entries: [entry(KEY_2, [['/h.h', HASH_B, stat('300')]]), entry(KEY_1, [['/h.h', HASH_A, stat('100')]])],
    };
    const fs = fakeFs({ '/h.h': [stat('500'), HASH_A] });
    expect(matchingEntry(twoStates, fs)?.resultKey).toBe(KEY_1);
    expect(fs.hashed).toEqual(['/h.h']);
  });
});

describe('withEntry', () => {
  it('puts the new entry first, drops an older one with its result key, and keeps at most the limit', () => {
    let manifest = withEntry(null, entry(KEY_1, []));
    manifest = withEntry(manifest, entry(KEY_2, []));
    manifest = withEntry(manifest, entry(KEY_1, [['/h.h', HASH_A, stat('1')]]));
    expect(manifest.entries.map((e) => [e.resultKey, e.files.length])).toEqual([
      [KEY_1, 1],
      [KEY_2, 0],
    ]);
    for (let i = 0; i < 20; i++) manifest = withEntry(manifest, entry(i.toString(16).padStart(64, '0'), []));
    expect(manifest.entries).toHaveLength(MAX_MANIFEST_ENTRIES);
    expect(manifest.entries[0]?.resultKey).toBe((19).toString(16).padStart(64, '0'));
  });
});

describe('ManifestSchema', () => {
  const good = { version: 1, entries: [entry(KEY_1, [['/h.h', HASH_A, stat('1')]])] };

  it('accepts a manifest as written', () => {
    expect(ManifestSchema.safeParse(good).success).toBe(true);
  });

  it.each([
    ['another version', { ...good, version: 2 }],
    ['a relative path', { version: 1, entries: [entry(KEY_1, [['h.h', HASH_A, stat('1')]])] }],
    ['a bad hash', { version: 1, entries: [entry(KEY_1, [['/h.h', 'zz', stat('1')]])] }],
    ['a stat that is not a decimal', { version: 1, entries: [entry(KEY_1, [['/h.h', HASH_A, stat('-1')]])] }],
    ['a bad result key', { version: 1, entries: [entry('x', [])] }],
  ])('refuses %s', (_name, value) => {
    expect(ManifestSchema.safeParse(value).success).toBe(false);
  });
});
