// A toolchain pack's manifest: every file the volunteer needs to run a client's compiler, by path,
// sha256 and mode. It crosses the wire (the agent offers it, the volunteer checks every file against it
// before anything runs), so it lives with the protocol, as the cache key does.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CompilerFingerprintSchema } from './messages';

/** Bumped when a pack's layout or its run contract changes: an old pack then stops matching. */
export const PACK_FORMAT = 1;
/** gcc + g++ with their libraries are about 20 files; room for clang's and a cross compiler's. */
export const MAX_PACK_FILES = 256;
/** Larger than any compiler pack seen (clang 14 with libLLVM is ~150 MB unpacked). */
export const MAX_PACK_BYTES = 1024 * 1024 * 1024;
const MAX_PACK_PATH_CHARS = 200;

/**
 * A path inside a pack: relative, `/`-separated, no empty, `.` or `..` segment, nothing a shell or a
 * tar reader could read another way. Pack paths become file names on the volunteer, so they are checked
 * as strictly as output names are.
 */
export function isPackPath(path: string): boolean {
  if (path.length === 0 || path.length > MAX_PACK_PATH_CHARS) return false;
  return path.split('/').every((segment) => /^[A-Za-z0-9_+][A-Za-z0-9_.+-]*$/.test(segment) && segment !== '..');
}

const packPath = z.string().refine(isPackPath, { message: 'not a plain relative path inside the pack' });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const PackFileSchema = z.strictObject({
  path: packPath,
  sha256,
  size: z.int().min(0).max(MAX_PACK_BYTES),
  /** Executable or not; nothing else of the mode travels (no setuid, no group write). */
  executable: z.boolean(),
});
export type PackFile = z.infer<typeof PackFileSchema>;

export const PackManifestSchema = z
  .strictObject({
    format: z.literal(PACK_FORMAT),
    /** The compiler the pack is: a job uses it only when the job's fingerprint is this one. */
    fingerprint: CompilerFingerprintSchema,
    /** `process.arch` of the machine the programs were taken from: another arch cannot run them. */
    arch: z.string().regex(/^[a-z0-9_]{1,16}$/),
    /** The dynamic loader every packed program runs under, and the driver it runs. */
    loader: packPath,
    driver: packPath,
    /** The directory given to the driver as `-B`: its cc1, cc1plus and as (wrappers that use the loader). */
    programs: packPath,
    /** The loader's `--library-path`. */
    libraries: packPath,
    files: z.array(PackFileSchema).min(1).max(MAX_PACK_FILES),
  })
  .superRefine((manifest, ctx) => {
    const paths = manifest.files.map((file) => file.path);
    const seen = new Set<string>();
    for (const path of paths) {
      // A file that is also another's directory could never be written; a twin would be written twice.
      if (seen.has(path) || paths.some((other) => other.startsWith(`${path}/`))) {
        ctx.addIssue({ code: 'custom', message: `pack path ${path} is listed twice or is also a directory` });
        return;
      }
      seen.add(path);
    }
    for (const field of ['loader', 'driver'] as const) {
      const file = manifest.files.find((f) => f.path === manifest[field]);
      if (!file?.executable) ctx.addIssue({ code: 'custom', message: `the ${field} ${manifest[field]} is not an executable file of the pack` });
    }
    const total = manifest.files.reduce((sum, file) => sum + file.size, 0);
    if (total > MAX_PACK_BYTES) ctx.addIssue({ code: 'custom', message: `the pack's files add up to more than ${MAX_PACK_BYTES} bytes` });
  });
export type PackManifest = z.infer<typeof PackManifestSchema>;

/**
 * The pack's id: sha256 of its manifest written with a fixed key order and its files sorted by path, so
 * the same files give the same id on every machine and whatever order they were listed in.
 */
export function packIdOf(manifest: PackManifest): string {
  const { fingerprint: f } = manifest;
  const canonical = [
    manifest.format,
    [f.version, f.target, f.driver, f.cc1, f.cc1plus],
    manifest.arch,
    manifest.loader,
    manifest.driver,
    manifest.programs,
    manifest.libraries,
    [...manifest.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((file) => [file.path, file.sha256, file.size, file.executable]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

const pushId = z.int().min(1).max(2 ** 31 - 1);

/** Client → server (`pack`): the agent offers a pack; its archive follows once the server says what it lacks. */
export const PackOfferSchema = z.strictObject({ id: pushId, manifest: PackManifestSchema });
export type PackOffer = z.infer<typeof PackOfferSchema>;

/**
 * Server → client (`want`): the file contents (by sha256) the server holds in none of its packs. The
 * archive that follows carries exactly these, each once; an empty list means none is sent.
 */
export const PackWantSchema = z.strictObject({ id: pushId, files: z.array(sha256).max(MAX_PACK_FILES) });
export type PackWant = z.infer<typeof PackWantSchema>;

/** Server → client (`packed`): the pack is in place and checked, or why not (one line). */
export const PackedSchema = z.strictObject({ id: pushId, ok: z.boolean(), message: z.string().max(2000) });
export type PackedMessage = z.infer<typeof PackedSchema>;
