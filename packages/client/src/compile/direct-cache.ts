// The direct mode of the agent's result cache (ccache's name for it): a compile the agent has seen
// before is answered without running its preprocessor. Its manifest, found by the compile as the build
// states it (./direct-key.ts), lists the files cpp read last time with their stat and sha256
// (./direct-manifest.ts); when each is unchanged, the result key is known without cpp. Files here:
// `<agent cache>/manifests/<first 2 hex digits>/<key>`, JSON, written to a temp file and renamed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, type BigIntStats } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { namesTimeMacro } from '@sshcc/protocol';
import { includedFiles } from './include-markers';
import { MAX_DEP_FILE_BYTES, MAX_MANIFEST_FILES, ManifestSchema, matchingEntry, sameStat, withEntry, type FileProbe, type FileStat, type Manifest, type ManifestEntry, type ManifestFile } from './direct-manifest';

/** Manifests kept (~10 KB each for a C file that includes a few system headers). */
export const MAX_MANIFESTS = 20_000;
/** A scan runs on average once per this share of MAX_MANIFESTS written, as the result store's does. */
const SCANS_PER_MAX = 64;
const TRIM_TO = 0.9;
/**
 * A file changed this close to (or after) the start of the compile that read it may have been read by
 * cpp in another state than the one hashed afterwards: it is not recorded (ccache's "too new" rule).
 * The kernel stamps files from a clock up to a tick (≤ 10 ms) behind the one we read; a file system that
 * keeps whole seconds (ext3, NFS from some servers; FAT: two) needs the larger margin.
 */
const SETTLE_MS = 50;
const SETTLE_COARSE_MS = 2_000;
/** File hashes remembered by stat across compiles (system headers are read by every compile). */
const MAX_KNOWN_HASHES = 100_000;
/** Manifests kept parsed, each while its file is the same inode: a hit then costs one stat, no parse. */
const MAX_PARSED = 5_000;
const EMBED = Buffer.from('embed');
const HAS_PREFIX = '__has_';
const INCBIN = Buffer.from('.incbin');

export interface DirectCacheOptions {
  /** The folder of manifests, beside the result store. */
  readonly dir: string;
  readonly maxManifests?: number;
  /** The chance draw for an eviction scan (tests make it certain or never). */
  readonly random?: () => number;
}

/** Why a compile's manifest was not recorded (for tests and the log), or 'recorded'. */
export type RecordOutcome = 'recorded' | 'unchanged' | 'cpp-stderr' | 'time-macro' | 'unmarked-read' | 'markers' | 'too-many-files' | 'file-changed' | 'unreadable' | 'dep-file' | 'io';

/** Where and when the recorded cpp run happened, and the dependency file it wrote (-MD), if any. */
export interface RecordContext {
  readonly cwd: string;
  /** Before cpp started: a file changed since is not recorded as what cpp read. */
  readonly startedMs: number;
  readonly depFile: string | null;
}

/** What a manifest gives for the files as they are now. */
export interface DirectFind {
  readonly resultKey: string;
  /** The dependency file's bytes as cpp wrote them; null when the compile wrote none. */
  readonly depFile: Buffer | null;
}

export class DirectCache {
  readonly dir: string;
  private readonly maxManifests: number;
  private readonly random: () => number;
  /** path → the stat it had when hashed, and the hash; kept only for files settled when hashed. */
  private readonly known = new Map<string, { readonly stat: FileStat; readonly sha256: string }>();
  /**
   * key → a manifest as parsed, and the stat its file had. Manifests are only ever replaced by a rename
   * (a new inode), never written in place, so the inode tells a rewrite; the times change with each hit's
   * touch and are not asked.
   */
  private readonly parsed = new Map<string, { readonly stat: FileStat; readonly manifest: Manifest }>();
  private evicting: Promise<void> | null = null;

  constructor(options: DirectCacheOptions) {
    this.dir = options.dir;
    this.maxManifests = options.maxManifests ?? MAX_MANIFESTS;
    this.random = options.random ?? Math.random;
  }

  /** What the manifest `key` gives for the files as they are now; null: no manifest, or no match. Never throws. */
  lookup(key: string): DirectFind | null {
    const manifest = this.read(key);
    const entry = manifest === null ? null : matchingEntry(manifest, this.probe);
    if (entry === null) return null;
    // LRU by mtime, as the result store's entries.
    const now = new Date();
    try {
      utimesSync(this.pathOf(key), now, now);
    } catch {
      // a manifest that is not touched only ages
    }
    return { resultKey: entry.resultKey, depFile: entry.depFile === undefined ? null : Buffer.from(entry.depFile, 'base64') };
  }

  /**
   * Records that the compile `key`, whose cpp wrote `run` (and `at.depFile`), has the result `resultKey`.
   * Nothing is recorded when a file cpp read may have changed meanwhile, or when anything is in doubt.
   * Never throws.
   */
  record(key: string, run: { readonly stdout: Buffer; readonly stderr: Buffer }, resultKey: string, at: RecordContext): RecordOutcome {
    const { cwd, startedMs } = at;
    // gcc's cpp diagnostics (#warning) belong to the answer, and a direct hit runs no cpp to print them.
    if (run.stderr.length > 0) return 'cpp-stderr';
    // Stricter than the result key's rule: a manifest is never recorded for a time macro, SOURCE_DATE_EPOCH or not.
    if (namesTimeMacro(run.stdout)) return 'time-macro';
    if (readsUnmarked(run.stdout)) return 'unmarked-read';
    const names = includedFiles(run.stdout);
    if (names === null) return 'markers';
    if (names.length > MAX_MANIFEST_FILES) return 'too-many-files';
    const files: ManifestFile[] = [];
    for (const name of names) {
      const path = isAbsolute(name) ? name : resolve(cwd, name);
      const before = statOf(path);
      if (before === null) return 'unreadable';
      if (!settled(before, startedMs)) return 'file-changed';
      const sha256 = this.hashOf(path, before);
      if (sha256 === null) return 'unreadable';
      files.push({ path, sha256, stat: before });
    }
    let depFile: string | undefined;
    if (at.depFile !== null) {
      const written = writtenSince(at.depFile, startedMs);
      if (written === null) return 'dep-file';
      depFile = written.toString('base64');
    }
    const entry = depFile === undefined ? { files, resultKey } : { files, resultKey, depFile };
    const old = this.read(key);
    if (old !== null && sameEntry(old.entries[0], entry)) return 'unchanged';
    return this.write(key, withEntry(old, entry)) ? 'recorded' : 'io';
  }

  /** Resolves when this process's background work (an eviction scan) is done. */
  async settled(): Promise<void> {
    await this.evicting;
  }

  private readonly probe: FileProbe = {
    stat: (path) => statOf(path),
    sha256: (path) => {
      const now = statOf(path);
      return now === null ? null : this.hashOf(path, now);
    },
  };

  /** The file's sha256, read again only when its stat changed since it was last hashed; null if unreadable. */
  private hashOf(path: string, now: FileStat): string | null {
    const known = this.known.get(path);
    if (known !== undefined && sameStat(known.stat, now)) return known.sha256;
    let sha256: string;
    try {
      sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      return null;
    }
    // Trusted by stat later only if it had settled: a write within the same clock tick keeps the stat.
    const after = statOf(path);
    if (after === null || !sameStat(after, now)) return null;
    if (settled(now, Date.now())) {
      if (this.known.size >= MAX_KNOWN_HASHES) this.known.clear();
      this.known.set(path, { stat: now, sha256 });
    }
    return sha256;
  }

  private read(key: string): Manifest | null {
    const path = this.pathOf(key);
    const stat = statOf(path);
    if (stat === null) return null;
    const known = this.parsed.get(key);
    if (known !== undefined && sameInode(known.stat, stat)) return known.manifest;
    let manifest: Manifest;
    try {
      const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) return null;
      manifest = parsed.data;
    } catch {
      return null;
    }
    // Kept only if the file did not change while it was read (a rename by another agent meanwhile).
    const after = statOf(path);
    if (after !== null && sameInode(after, stat)) this.remember(key, stat, manifest);
    return manifest;
  }

  private remember(key: string, stat: FileStat, manifest: Manifest): void {
    if (this.parsed.size >= MAX_PARSED) this.parsed.clear();
    this.parsed.set(key, { stat, manifest });
  }

  private write(key: string, manifest: Manifest): boolean {
    const folder = join(this.dir, key.slice(0, 2));
    const temp = join(folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      writeFileSync(temp, JSON.stringify(manifest), { mode: 0o600, flag: 'wx' });
      const stat = statOf(temp);
      renameSync(temp, this.pathOf(key));
      if (stat !== null) this.remember(key, stat, manifest);
    } catch {
      try {
        unlinkSync(temp);
      } catch {
        // never written
      }
      return false;
    }
    if (this.random() < SCANS_PER_MAX / this.maxManifests) this.evictSoon();
    return true;
  }

  private evictSoon(): void {
    this.evicting ??= this.evict()
      .catch(() => undefined)
      .finally(() => {
        this.evicting = null;
      });
  }

  /** Deletes the least recently used manifests beyond TRIM_TO of the limit; every step tolerates a file gone meanwhile. */
  private async evict(): Promise<void> {
    const found: { path: string; mtimeMs: number }[] = [];
    for (const folder of (await readdir(this.dir).catch(() => [] as string[])).filter((name) => /^[0-9a-f]{2}$/.test(name))) {
      for (const name of await readdir(join(this.dir, folder)).catch(() => [] as string[])) {
        const path = join(this.dir, folder, name);
        const stat = await lstat(path).catch(() => null);
        if (stat?.isFile() && /^[0-9a-f]{64}$/.test(name)) found.push({ path, mtimeMs: stat.mtimeMs });
      }
    }
    if (found.length <= this.maxManifests) return;
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const { path } of found.slice(0, found.length - Math.floor(this.maxManifests * TRIM_TO))) await unlink(path).catch(() => undefined);
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), key);
  }
}

/** A regular file's stat as a manifest keeps it; null when it is gone or not a regular file. */
function statOf(path: string): FileStat | null {
  let stat: BigIntStats | undefined;
  try {
    stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return null;
  }
  // A device or fifo could block cpp, and its "content" is no content (ccache also refuses them).
  if (stat === undefined || !stat.isFile()) return null;
  return { dev: String(stat.dev), ino: String(stat.ino), size: String(stat.size), mtimeNs: String(stat.mtimeNs), ctimeNs: String(stat.ctimeNs) };
}

/**
 * Whether the file last changed safely before `startedMs`. Only the ctime is asked: every write sets it
 * and no call can set it back (touch -d and utimes set the mtime, and the ctime with it, to now).
 */
function settled(stat: FileStat, startedMs: number): boolean {
  const ctimeNs = BigInt(stat.ctimeNs);
  const coarse = ctimeNs % 1_000_000_000n === 0n;
  return Number(ctimeNs / 1_000_000n) < startedMs - (coarse ? SETTLE_COARSE_MS : SETTLE_MS);
}

/**
 * Whether the text reads a file no line marker names: C23's `#embed` (and `__has_embed`) and the
 * assembler's `.incbin` (ccache refuses it too). A change to such a file would not be seen.
 */
function readsUnmarked(text: Buffer): boolean {
  for (let at = text.indexOf(EMBED); at !== -1; at = text.indexOf(EMBED, at + EMBED.length)) {
    let before = at - 1;
    while (before >= 0 && (text[before] === 0x20 || text[before] === 0x09)) before--;
    if (text[before] === 0x23 || text.toString('latin1', at - HAS_PREFIX.length, at) === HAS_PREFIX) return true;
  }
  return text.includes(INCBIN);
}

function sameInode(a: FileStat, b: FileStat): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size;
}

/**
 * The bytes of a file this compile's cpp wrote: changed since `startedMs` (so not a stale one from an
 * earlier run), unchanged while read, and not too large to keep; null otherwise.
 */
function writtenSince(path: string, startedMs: number): Buffer | null {
  const before = statOf(path);
  if (before === null || settled(before, startedMs) || Number(before.size) > MAX_DEP_FILE_BYTES) return null;
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return null;
  }
  const after = statOf(path);
  return after !== null && sameStat(after, before) ? data : null;
}

function sameEntry(entry: ManifestEntry | undefined, next: ManifestEntry): boolean {
  const { files, resultKey } = next;
  return (
    entry !== undefined &&
    entry.resultKey === resultKey &&
    entry.depFile === next.depFile &&
    entry.files.length === files.length &&
    entry.files.every((file, i) => file.path === files[i]?.path && file.sha256 === files[i]?.sha256 && sameStat(file.stat, (files[i] as ManifestFile).stat))
  );
}
