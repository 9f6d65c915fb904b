import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import { packIdOf, type PackManifest, type PackReceiver } from '@sshcc/protocol';
import { hashFile } from '../hash-file';
import { readManifestFile } from './cached-manifest';
import { packDecompressor } from './pack-archive';

/** A pack checked file by file against its manifest, ready to run. */
export interface OpenPack {
  readonly id: string;
  readonly dir: string;
  readonly manifest: PackManifest;
}

export interface PackStoreOptions {
  /** `<cache root>/toolchains`: one directory per pack id. */
  readonly dir: string;
  /** Least recently used packs go once the packs together pass this. */
  readonly maxBytes: number;
  /** Packs used within this many ms are not evicted (a compile may be running them); default 10 min. */
  readonly inUseMs?: number;
}

const PACK_ID = /^[0-9a-f]{64}$/;
const MANIFEST = 'manifest.json';
const STALE_TEMP_MS = 60 * 60 * 1000;
/** A pack used this recently may have a compile running: eviction passes it by (maxJobSeconds' default). */
const IN_USE_MS = 10 * 60 * 1000;

/**
 * The volunteer's toolchain packs. A pack is written into a private temp dir, every file checked
 * against the manifest's hash, made read-only, and only then renamed into place: a pack dir either
 * is whole and checked, or does not exist. Before first use in a process every file is hashed again,
 * so a file changed since (a flipped bit, a meddler) is caught before it runs, and the pack removed
 * for the agent to push again.
 */
export class PackStore implements PackReceiver {
  private readonly verified = new Map<string, Promise<OpenPack | null>>();

  constructor(private readonly options: PackStoreOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  /** Ids of the packs in place (not yet checked: that happens on use). */
  async held(): Promise<string[]> {
    const entries = await readdir(this.options.dir).catch(() => [] as string[]);
    return entries.filter((name) => PACK_ID.test(name)).sort();
  }

  /** The pack, checked; null when it is absent, or was damaged (and has been removed). */
  async open(id: string): Promise<OpenPack | null> {
    const pack = await this.checked(id);
    if (pack === null) return null;
    // Its use time, for the LRU (the owner may set a read-only dir's times). It fails only if the pack is
    // gone since this process checked it (another server evicted it): then it is not here.
    const there = await utimes(pack.dir, new Date(), new Date()).then(
      () => true,
      (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
    );
    if (there) return pack;
    this.verified.delete(id);
    return null;
  }

  /** The pack hashed once per process (a damaged one removed), without counting as a use. */
  private checked(id: string): Promise<OpenPack | null> {
    let known = this.verified.get(id);
    if (known === undefined) {
      // A file system error while checking is "not usable here", never a crash of the server.
      known = this.verify(id).catch(() => null);
      this.verified.set(id, known);
      // A pack that is not there now may be pushed later in this process's life.
      void known.then((pack) => pack ?? this.verified.delete(id));
    }
    return known;
  }

  async wanted(manifest: PackManifest): Promise<string[]> {
    const held = await this.heldContents();
    const wanted = new Set<string>();
    for (const file of manifest.files) if (!held.has(file.sha256)) wanted.add(file.sha256);
    return [...wanted].sort();
  }

  async receive(manifest: PackManifest, wanted: readonly string[], archive: Readable): Promise<{ ok: boolean; message: string }> {
    const id = packIdOf(manifest);
    const total = manifest.files.reduce((sum, file) => sum + file.size, 0);
    if (total > this.options.maxBytes) {
      return { ok: false, message: `pack ${id.slice(0, 12)} is ${total} bytes, more than this server's toolchains.maxSize (${this.options.maxBytes})` };
    }
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    const unsafe = await this.unsafeDir();
    if (unsafe !== null) return { ok: false, message: unsafe };
    await this.sweepTemps();
    const temp = join(this.options.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(temp, { mode: 0o700 });
      const received = await this.extract(manifest, wanted, archive, join(temp, '.in'));
      await this.assemble(manifest, temp, received);
      await rm(join(temp, '.in'), { recursive: true, force: true });
      await writeFile(join(temp, MANIFEST), JSON.stringify(manifest), { mode: 0o444, flag: 'wx' });
      await sealTree(temp, manifest);
      try {
        await rename(temp, join(this.options.dir, id));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
        // Another agent's push of the same pack got there first: one good copy is the goal.
        await removeTree(temp);
        return { ok: true, message: `pack ${id.slice(0, 12)} was already in place` };
      }
      this.verified.delete(id);
      await this.evict(id);
      return { ok: true, message: `pack ${id.slice(0, 12)} stored (${wanted.length} of ${manifest.files.length} files sent)` };
    } catch (err) {
      await removeTree(temp);
      if (!archive.readableEnded) archive.resume();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOSPC' || e.code === 'EDQUOT') return { ok: false, message: `no space left for the pack in ${this.options.dir}` };
      return { ok: false, message: `pack ${id.slice(0, 12)} refused: ${e.message}` };
    }
  }

  /** Temp dirs of receives a killed server never finished (an hour is far past any push). */
  private async sweepTemps(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.options.dir).catch(() => [] as string[])) {
      if (!name.startsWith('.tmp-')) continue;
      const info = await stat(join(this.options.dir, name)).catch(() => null);
      if (info !== null && now - info.mtimeMs > STALE_TEMP_MS) await removeTree(join(this.options.dir, name));
    }
  }

  /** Writes each wanted content to `<into>/<sha256>`, hashing as it goes; anything not asked for is refused. */
  private async extract(manifest: PackManifest, wanted: readonly string[], archive: Readable, into: string): Promise<Set<string>> {
    await mkdir(into, { mode: 0o700 });
    const sizes = new Map(manifest.files.map((file) => [file.sha256, file.size]));
    const open = new Set(wanted);
    const received = new Set<string>();
    if (open.size === 0) return received;
    const tar = tarExtract();
    const done = new Promise<void>((resolve, reject) => {
      tar.on('entry', (header, stream, next) => {
        const name = header.name;
        const size = sizes.get(name);
        if (header.type !== 'file' || !open.has(name) || size === undefined || header.size !== size) {
          stream.resume();
          return reject(new Error(`archive entry "${String(name).slice(0, 80)}" is not a wanted file of the pack`));
        }
        open.delete(name);
        const hash = createHash('sha256');
        stream.on('data', (chunk) => hash.update(chunk as Buffer));
        pipeline(stream, createWriteStream(join(into, name), { flags: 'wx', mode: 0o600 })).then(
          () => {
            if (hash.digest('hex') !== name) return reject(new Error(`archive entry ${name.slice(0, 12)} does not hash to its name`));
            received.add(name);
            next();
          },
          reject,
        );
      });
      tar.on('finish', resolve);
      tar.on('error', reject);
    });
    const decompressor = packDecompressor();
    try {
      await Promise.all([pipeline(archive, decompressor, tar as unknown as NodeJS.WritableStream), done]);
    } catch (err) {
      // Stop inflating at once: what is left may be a bomb, and the caller drops the rest of the archive.
      decompressor.destroy();
      tar.destroy();
      throw err;
    }
    if (open.size > 0) throw new Error(`the archive lacks ${open.size} wanted file(s)`);
    return received;
  }

  /** Places every file of the pack: a received content, or one held by another pack (checked first). */
  private async assemble(manifest: PackManifest, temp: string, received: ReadonlySet<string>): Promise<void> {
    const held = await this.heldContents();
    // A link shares its inode, and so its mode: a content already placed with the other executable bit
    // (here, or in another pack) is copied, so that sealing this pack never changes another file's mode.
    const placed = new Map<string, { path: string; executable: boolean }>();
    for (const file of manifest.files) {
      const target = join(temp, file.path);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      let source = placed.get(file.sha256) ?? null;
      if (source === null && received.has(file.sha256)) source = { path: join(temp, '.in', file.sha256), executable: file.executable };
      if (source === null) {
        const path = held.get(file.sha256);
        const info = path === undefined ? null : await stat(path).catch(() => null);
        if (path === undefined || info === null || (await hashFile(path).catch(() => null)) !== file.sha256) {
          throw new Error(`${file.path} was not sent and no pack here holds it intact`);
        }
        source = { path, executable: (info.mode & 0o111) !== 0 };
      }
      if (source.executable === file.executable) await link(source.path, target);
      else await copyFile(source.path, target);
      placed.set(file.sha256, { path: target, executable: file.executable });
    }
  }

  /**
   * sha256 → a file holding it, across the packs in place and intact. Each is checked (once per process)
   * first: a damaged file counted as held would never be asked for, and every push of its pack would
   * fail; the damaged pack is removed instead, and its contents are asked for again.
   */
  private async heldContents(): Promise<Map<string, string>> {
    const contents = new Map<string, string>();
    for (const id of await this.held()) {
      const pack = await this.checked(id);
      if (pack === null) continue;
      for (const file of pack.manifest.files) contents.set(file.sha256, join(pack.dir, file.path));
    }
    return contents;
  }

  private readManifest(id: string): Promise<PackManifest | null> {
    return readManifestFile(join(this.options.dir, id, MANIFEST), id);
  }

  /**
   * Why the store may not be trusted, or null: a toolchains dir that someone else owns or may write in
   * could have its packs swapped between the check and the run.
   */
  private async unsafeDir(): Promise<string | null> {
    const info = await stat(this.options.dir).catch(() => null);
    if (info === null) return null;
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) return `${this.options.dir} belongs to uid ${info.uid}, not this user: its packs are not used`;
    if ((info.mode & 0o022) !== 0) return `${this.options.dir} is writable by group or others: its packs are not used`;
    return null;
  }

  private async verify(id: string): Promise<OpenPack | null> {
    if (!PACK_ID.test(id)) return null;
    if ((await this.unsafeDir()) !== null) return null;
    const dir = join(this.options.dir, id);
    if (!(await stat(dir).catch(() => null))?.isDirectory()) return null;
    const manifest = await this.readManifest(id);
    const intact = manifest !== null && (await filesIntact(dir, manifest));
    if (!intact) {
      await removeTree(dir);
      return null;
    }
    return { id, dir, manifest };
  }

  /** Removes the least recently used packs (not `keep`) until the rest fit under maxBytes. */
  private async evict(keep: string): Promise<void> {
    const packs: { id: string; used: number; bytes: number }[] = [];
    for (const id of await this.held()) {
      const manifest = await this.readManifest(id);
      const used = (await stat(join(this.options.dir, id)).catch(() => null))?.mtimeMs ?? 0;
      packs.push({ id, used, bytes: manifest?.files.reduce((sum, file) => sum + file.size, 0) ?? 0 });
    }
    let total = packs.reduce((sum, pack) => sum + pack.bytes, 0);
    for (const pack of packs.sort((a, b) => a.used - b.used)) {
      if (total <= this.options.maxBytes) return;
      if (pack.id === keep || Date.now() - pack.used < (this.options.inUseMs ?? IN_USE_MS)) continue;
      await removeTree(join(this.options.dir, pack.id));
      this.verified.delete(pack.id);
      total -= pack.bytes;
    }
  }
}

/** Every file a regular file of its manifest size and hash, writable by no one but the owner. */
async function filesIntact(dir: string, manifest: PackManifest): Promise<boolean> {
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    const info = await lstat(path).catch(() => null);
    if (!info?.isFile() || info.size !== file.size || (info.mode & 0o022) !== 0) return false;
    if (((info.mode & 0o111) !== 0) !== file.executable) return false;
    if ((await hashFile(path).catch(() => null)) !== file.sha256) return false;
  }
  return true;
}

/** Read-only from here on: files 0555 or 0444 as the manifest says, every dir 0555. */
async function sealTree(root: string, manifest: PackManifest): Promise<void> {
  const dirs = new Set<string>([root]);
  for (const file of manifest.files) {
    await chmod(join(root, file.path), file.executable ? 0o555 : 0o444);
    for (let d = dirname(join(root, file.path)); d.startsWith(`${root}/`); d = dirname(d)) dirs.add(d);
  }
  // Deepest first: a parent made read-only first would still allow it, but the order keeps it obvious.
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await chmod(d, 0o555);
}

/** rm -rf of a tree sealed read-only: its dirs are made writable first. */
async function removeTree(root: string): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    await chmod(dir, 0o700).catch(() => undefined);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await walk(join(dir, entry.name));
  };
  await walk(root);
  await rm(root, { recursive: true, force: true });
}
