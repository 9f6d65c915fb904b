import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { packIdOf, PackManifestSchema, type PackManifest } from '@sshcc/protocol';
import { packArchive, type ArchiveContents } from './pack-archive';
import { PackStore } from './pack-store';

const FINGERPRINT = { version: 'test 1.0', target: 'x86_64-linux-gnu', driver: 'a'.repeat(64), cc1: null, cc1plus: null };

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A small pack: a driver, a loader and `extra` more files, each with its own content. */
function testPack(name: string, extra: Record<string, string> = {}): { manifest: PackManifest; contents: Map<string, Buffer> } {
  const files: Record<string, string> = { 'bin/cc': `driver ${name}`, 'lib/ld-test.so': 'loader', ...extra };
  const contents = new Map<string, Buffer>();
  const list = Object.entries(files).map(([path, text]) => {
    const data = Buffer.from(text);
    contents.set(sha(data), data);
    return { path, sha256: sha(data), size: data.length, executable: !path.endsWith('.txt') };
  });
  const manifest = PackManifestSchema.parse({ format: 1, fingerprint: FINGERPRINT, arch: 'x64', loader: 'lib/ld-test.so', driver: 'bin/cc', programs: 'libexec', libraries: 'lib', files: list });
  return { manifest, contents };
}

function archive(contents: Map<string, Buffer>, only?: readonly string[]): Readable {
  const picked: ArchiveContents = new Map([...contents].filter(([hash]) => !only || only.includes(hash)).map(([hash, data]) => [hash, () => Promise.resolve(data)]));
  return packArchive(picked, 1024);
}

let dir: string;
let store: PackStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-packs-test-'));
  store = new PackStore({ dir: join(dir, 'toolchains'), maxBytes: 1024 * 1024 });
});
afterEach(() => {
  // Sealed dirs are read-only: open them up for the cleanup.
  for (const sub of walkDirs(dir)) chmodSync(sub, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

function walkDirs(root: string): string[] {
  const out = [root];
  for (const entry of readdirSync(root, { withFileTypes: true })) if (entry.isDirectory()) out.push(...walkDirs(join(root, entry.name)));
  return out;
}

/** Flips a bit of a sealed (0555) pack file, as a disk error or a meddler would, and seals it again. */
function damage(file: string): void {
  chmodSync(file, 0o755);
  const bytes = readFileSync(file);
  bytes[0] = (bytes[0] as number) ^ 1;
  writeFileSync(file, bytes);
  chmodSync(file, 0o555);
}

async function push(s: PackStore, pack: { manifest: PackManifest; contents: Map<string, Buffer> }, stream?: Readable) {
  const wanted = await s.wanted(pack.manifest);
  return { wanted, answer: await s.receive(pack.manifest, wanted, stream ?? archive(pack.contents, wanted)) };
}

test('a pushed pack lands whole, read-only, checked, and is opened by its id', async () => {
  const pack = testPack('one', { 'lib/libx.so': 'library x' });
  const { wanted, answer } = await push(store, pack);
  expect(wanted).toHaveLength(3);
  expect(answer).toEqual({ ok: true, message: expect.stringMatching(/stored \(3 of 3 files sent\)/) });
  const id = packIdOf(pack.manifest);
  expect(await store.held()).toEqual([id]);
  const opened = await store.open(id);
  expect(opened?.manifest).toEqual(pack.manifest);
  expect(readFileSync(join(store.dir, id, 'lib/libx.so'), 'utf8')).toBe('library x');
  expect(statSync(join(store.dir, id, 'bin/cc')).mode & 0o777).toBe(0o555);
  expect(statSync(join(store.dir, id, 'lib')).mode & 0o777).toBe(0o555);
  // Nothing half-written is left beside it.
  expect(readdirSync(store.dir)).toEqual([id]);
});

test('a second pack sharing files is sent only what it adds', async () => {
  await push(store, testPack('one', { 'lib/libx.so': 'library x' }));
  const second = testPack('two', { 'lib/libx.so': 'library x' });
  const { wanted, answer } = await push(store, second);
  expect(wanted).toEqual([sha(Buffer.from('driver two'))]);
  expect(answer.ok).toBe(true);
  expect(await store.open(packIdOf(second.manifest))).not.toBeNull();
});

test('a flipped byte in a stored file is caught before use: the pack is removed, to be pushed again', async () => {
  const pack = testPack('one');
  await push(store, pack);
  const id = packIdOf(pack.manifest);
  damage(join(store.dir, id, 'bin/cc'));
  // A fresh server process (a new store) checks every file before the first use.
  const fresh = new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 });
  expect(await fresh.open(id)).toBeNull();
  expect(await fresh.held()).toEqual([]);
  const again = await push(fresh, pack);
  expect(again.wanted).toHaveLength(2);
  expect(await fresh.open(id)).not.toBeNull();
});

test('a damaged pack holds nothing for a push: a fresh process pushing it again is asked for its files and stores it intact', async () => {
  const pack = testPack('one');
  await push(store, pack);
  const id = packIdOf(pack.manifest);
  const file = join(store.dir, id, 'bin/cc');
  damage(file);
  // No job opened it first: the push itself is where the damage must show.
  const fresh = new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 });
  const again = await push(fresh, pack);
  expect(again).toEqual({ wanted: [...pack.contents.keys()].sort(), answer: { ok: true, message: expect.stringMatching(/stored \(2 of 2 files sent\)/) } });
  expect(readFileSync(file, 'utf8')).toBe('driver one');
  expect(await new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 }).open(id)).not.toBeNull();
});

test('two pushes of the same pack at once end with one good copy', async () => {
  const pack = testPack('one', { 'lib/liby.so': 'y'.repeat(50_000) });
  const other = new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 });
  const [a, b] = await Promise.all([push(store, pack), push(other, pack)]);
  expect(a.answer.ok && b.answer.ok).toBe(true);
  const id = packIdOf(pack.manifest);
  expect(readdirSync(store.dir)).toEqual([id]);
  expect(await new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 }).open(id)).not.toBeNull();
});

test.each([
  ['an entry the server did not ask for', (pack: { contents: Map<string, Buffer> }) => archive(new Map([...pack.contents, [sha(Buffer.from('evil')), Buffer.from('evil')]]))],
  ['an entry whose content does not hash to its name', (pack: { contents: Map<string, Buffer> }) => archive(new Map([...pack.contents].map(([hash]) => [hash, Buffer.from(`forged ${hash}`.slice(0, 10))])))],
  ['a truncated archive', () => Readable.from([Buffer.from([0x1b, 0x2c, 0x00])])],
  ['an archive that lacks a wanted file', (pack: { contents: Map<string, Buffer> }) => archive(new Map([...pack.contents].slice(1)))],
])('%s is refused in one line, and the packs already held are untouched', async (_name, makeArchive) => {
  const good = testPack('good');
  await push(store, good);
  const bad = testPack('bad');
  const wanted = await store.wanted(bad.manifest);
  const answer = await store.receive(bad.manifest, wanted, makeArchive(bad));
  expect(answer.ok).toBe(false);
  expect(answer.message).not.toContain('\n');
  expect(readdirSync(store.dir)).toEqual([packIdOf(good.manifest)]);
  expect(await new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 }).open(packIdOf(good.manifest))).not.toBeNull();
});

test('past maxSize the least recently used pack goes', async () => {
  const small = new PackStore({ dir: store.dir, maxBytes: 150_000, inUseMs: 0 });
  const first = testPack('first', { 'lib/big.so': '1'.repeat(60_000) });
  const second = testPack('second', { 'lib/big.so': '2'.repeat(60_000) });
  const third = testPack('third', { 'lib/big.so': '3'.repeat(60_000) });
  await push(small, first);
  await push(small, second);
  // Used since: the first is now the more recent of the two.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await small.open(packIdOf(first.manifest));
  await push(small, third);
  expect((await small.held()).sort()).toEqual([packIdOf(first.manifest), packIdOf(third.manifest)].sort());
});

test('a pack larger than maxSize is refused before anything is written', async () => {
  const tiny = new PackStore({ dir: store.dir, maxBytes: 10 });
  const pack = testPack('one');
  const answer = await tiny.receive(pack.manifest, [], Readable.from([]));
  expect(answer).toEqual({ ok: false, message: expect.stringMatching(/more than this server's toolchains.maxSize \(10\)/) });
});

test('a toolchains dir others may write in is not trusted: its packs are not used and no push is stored', async () => {
  const pack = testPack('one');
  await push(store, pack);
  chmodSync(store.dir, 0o777);
  const fresh = new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 });
  expect(await fresh.open(packIdOf(pack.manifest))).toBeNull();
  const answer = await fresh.receive(testPack('two').manifest, [], Readable.from([]));
  expect(answer).toEqual({ ok: false, message: expect.stringMatching(/is writable by group or others: its packs are not used$/) });
  chmodSync(store.dir, 0o700);
  // The pack itself was not touched: trusted again once the dir is.
  expect(await new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 }).open(packIdOf(pack.manifest))).not.toBeNull();
});

test('a pack used within the last minutes is not evicted, even past maxSize (a compile may be running it)', async () => {
  const small = new PackStore({ dir: store.dir, maxBytes: 100_000 });
  const first = testPack('first', { 'lib/big.so': '1'.repeat(60_000) });
  const second = testPack('second', { 'lib/big.so': '2'.repeat(60_000) });
  await push(small, first);
  await push(small, second);
  expect((await small.held()).length).toBe(2);
});

test('a content shared by two packs with different executable bits is copied, not linked: sealing one never changes the other', async () => {
  const shared = 'the same bytes';
  const first = testPack('first', { 'lib/shared.txt': shared });
  await push(store, first);
  const second = testPack('second', { 'bin/shared': shared });
  // bin/shared is executable in the second pack, lib/shared.txt is not in the first.
  expect(second.manifest.files.find((f) => f.path === 'bin/shared')?.executable).toBe(true);
  expect((await push(store, second)).answer.ok).toBe(true);
  const fresh = new PackStore({ dir: store.dir, maxBytes: 1024 * 1024 });
  expect(await fresh.open(packIdOf(first.manifest))).not.toBeNull();
  expect(await fresh.open(packIdOf(second.manifest))).not.toBeNull();
  expect(statSync(join(store.dir, packIdOf(first.manifest), 'lib/shared.txt')).mode & 0o777).toBe(0o444);
  expect(statSync(join(store.dir, packIdOf(second.manifest), 'bin/shared')).mode & 0o777).toBe(0o555);
});

test('a pack evicted by another server process is not here for this one, though it checked it before', async () => {
  const pack = testPack('one');
  await push(store, pack);
  const id = packIdOf(pack.manifest);
  expect(await store.open(id)).not.toBeNull();
  chmodSync(join(store.dir, id), 0o700);
  for (const sub of walkDirs(join(store.dir, id))) chmodSync(sub, 0o700);
  rmSync(join(store.dir, id), { recursive: true });
  expect(await store.open(id)).toBeNull();
});
