// A direct-mode manifest (see ./direct-cache.ts): for one compile as the build states it, the include
// files cpp read each time it ran, with their stat and sha256, each set pointing to the result key
// that compile had. Pure: the file system is asked through a FileProbe.
import { z } from 'zod';

/** Results remembered per manifest: a header toggled back and forth (a branch switch) still hits. */
export const MAX_MANIFEST_ENTRIES = 8;
/** A compile that read more files than this keeps no manifest (each hit would stat them all). */
export const MAX_MANIFEST_FILES = 20_000;
/** A dependency file past this is not kept (one line per header: a few KB, ~1 MB for the largest). */
export const MAX_DEP_FILE_BYTES = 4 * 1024 * 1024;

/** What a stat says of a file, kept to tell "unchanged" without reading it (nanoseconds, as decimals). */
export interface FileStat {
  readonly dev: string;
  readonly ino: string;
  readonly size: string;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
}

export interface ManifestFile {
  /** Absolute: cpp's name for it, resolved against the compile's cwd. */
  readonly path: string;
  readonly sha256: string;
  readonly stat: FileStat;
}

export interface ManifestEntry {
  readonly files: readonly ManifestFile[];
  readonly resultKey: string;
  /** The dependency file cpp wrote (-MD), base64; absent when it wrote none. */
  readonly depFile?: string;
}

export interface Manifest {
  readonly version: 1;
  /** Newest first. */
  readonly entries: readonly ManifestEntry[];
}

const decimal = z.string().regex(/^\d{1,30}$/);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** Written by another agent process, maybe another version: checked before use, ignored when wrong. */
export const ManifestSchema = z.object({
  version: z.literal(1),
  entries: z
    .array(
      z.object({
        files: z
          .array(
            z.object({
              path: z.string().min(2).max(4096).startsWith('/'),
              sha256,
              stat: z.object({ dev: decimal, ino: decimal, size: decimal, mtimeNs: decimal, ctimeNs: decimal }),
            }),
          )
          .max(MAX_MANIFEST_FILES),
        resultKey: sha256,
        depFile: z.base64().max(Math.ceil(MAX_DEP_FILE_BYTES / 3) * 4).optional(),
      }),
    )
    .max(MAX_MANIFEST_ENTRIES),
});

/** The file system as matching sees it; both answer null for a file that is gone or unreadable. */
export interface FileProbe {
  stat(path: string): FileStat | null;
  sha256(path: string, stat: FileStat): string | null;
}

export function sameStat(a: FileStat, b: FileStat): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/**
 * The newest entry every one of whose files is as it was recorded: the same stat, or, where the stat
 * changed (a touch, a checkout of the same bytes), the same sha256. Null when none is.
 */
export function matchingEntry(manifest: Manifest, probe: FileProbe): ManifestEntry | null {
  // Files shared by several entries are asked about once.
  const stats = new Map<string, FileStat | null>();
  const hashes = new Map<string, string | null>();
  const statOf = (path: string): FileStat | null => {
    if (!stats.has(path)) stats.set(path, probe.stat(path));
    return stats.get(path) as FileStat | null;
  };
  const unchanged = (file: ManifestFile): boolean => {
    const now = statOf(file.path);
    if (now === null) return false;
    if (sameStat(now, file.stat)) return true;
    if (!hashes.has(file.path)) hashes.set(file.path, probe.sha256(file.path, now));
    return hashes.get(file.path) === file.sha256;
  };
  return manifest.entries.find((entry) => entry.files.every(unchanged)) ?? null;
}

/** `manifest` with `entry` first; an older entry with the same result key goes, and the oldest beyond the limit. */
export function withEntry(manifest: Manifest | null, entry: ManifestEntry): Manifest {
  const others = (manifest?.entries ?? []).filter((old) => old.resultKey !== entry.resultKey);
  return { version: 1, entries: [entry, ...others].slice(0, MAX_MANIFEST_ENTRIES) };
}
