import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SshccError } from '@sshcc/core';
import { PACK_FORMAT, packIdOf, PackManifestSchema, type CompilerFingerprint, type PackFile, type PackManifest } from '@sshcc/protocol';
import { queryProgram } from '../compilers/query-program';
import { resolveCompiler } from '../compilers/resolve-compiler';
import { hashFileOnce } from '../hash-file';
import { packArchive } from './pack-archive';
import { packWrapper, PACK_LAYOUT } from './pack-layout';

/** A pack as the agent holds it: its manifest, and its archive of every content on disk. */
export interface BuiltPack {
  readonly id: string;
  readonly manifest: PackManifest;
  /** The brotli tar of all the pack's contents, each entry named by sha256. */
  readonly archive: string;
  readonly archiveBytes: number;
  /** The sum of the pack's file sizes, as the volunteer stores it. */
  readonly unpackedBytes: number;
}

/** A file of the pack: where it comes from on this machine, or its bytes when sshcc wrote it (a wrapper). */
interface Source {
  readonly path: string;
  readonly from: string | Buffer;
  readonly executable: boolean;
}

/** The queries' answers are parsed: in the C locale. */
const queryEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: 'C' });

/** A pack whose manifest is known; its archive is made only when a volunteer first wants files. */
export interface DescribedPack {
  readonly id: string;
  readonly manifest: PackManifest;
  readonly unpackedBytes: number;
  /** `<packsDir>/<id>.tar.br`, made once (and kept) on the first call. */
  archive(): Promise<{ readonly path: string; readonly bytes: number }>;
}

/**
 * Collects everything the remote half of a compile needs from `compilerPath` into a pack: the driver,
 * gcc's cc1, cc1plus and as (each behind a wrapper that runs it under the packed loader), the shared
 * libraries all of them load and that loader, so a volunteer with another (older) glibc runs them too.
 * Only hashes them (~0.3 s for gcc): compressing (~6 s) waits until a volunteer lacks some of them, so an
 * agent whose volunteers hold the pack already never spends it.
 */
export async function describePack(compilerPath: string, fingerprint: CompilerFingerprint, packsDir: string): Promise<DescribedPack> {
  const { sources, loader } = await packSources(compilerPath, fingerprint);
  const files: PackFile[] = [];
  const contents = new Map<string, string | Buffer>();
  for (const source of sources) {
    const bytes = typeof source.from === 'string' ? await stat(source.from).then((s) => s.size) : source.from.length;
    const sha256 = typeof source.from === 'string' ? await hashFileOnce(source.from) : createHash('sha256').update(source.from).digest('hex');
    files.push({ path: source.path, sha256, size: bytes, executable: source.executable });
    contents.set(sha256, source.from);
  }
  const manifest = PackManifestSchema.parse({
    format: PACK_FORMAT,
    fingerprint,
    arch: arch(),
    loader,
    driver: `${PACK_LAYOUT.driver}/${basename(compilerPath)}`,
    programs: PACK_LAYOUT.programs,
    libraries: PACK_LAYOUT.libraries,
    files,
  } satisfies PackManifest);
  const id = packIdOf(manifest);
  const unpackedBytes = files.reduce((sum, file) => sum + file.size, 0);
  // The manifest is kept at once: a later agent finds its pack id without hashing (readCachedManifest).
  await mkdir(packsDir, { recursive: true, mode: 0o700 });
  await writeFile(join(packsDir, `${id}.json`), JSON.stringify(manifest));
  let made: Promise<{ path: string; bytes: number }> | null = null;
  const archive = () => {
    made ??= writeArchive(compilerPath, id, contents, unpackedBytes, packsDir);
    made.catch(() => (made = null));
    return made;
  };
  return { id, manifest, unpackedBytes, archive };
}

/** describePack with its archive made: what the bench measures against icecc-create-env. */
export async function buildPack(compilerPath: string, fingerprint: CompilerFingerprint, packsDir: string): Promise<BuiltPack> {
  const described = await describePack(compilerPath, fingerprint, packsDir);
  const { path, bytes } = await described.archive();
  return { id: described.id, manifest: described.manifest, archive: path, archiveBytes: bytes, unpackedBytes: described.unpackedBytes };
}

/** Kept under `packsDir` as `<id>.tar.br` (beside its `<id>.json`); an archive already there is not made again. */
async function writeArchive(
  compilerPath: string,
  id: string,
  contents: ReadonlyMap<string, string | Buffer>,
  unpackedBytes: number,
  packsDir: string,
): Promise<{ path: string; bytes: number }> {
  const archive = join(packsDir, `${id}.tar.br`);
  const known = await stat(archive).catch(() => null);
  if (known?.isFile()) return { path: archive, bytes: known.size };
  const temp = join(packsDir, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const readers = new Map([...contents].map(([hash, from]) => [hash, () => (typeof from === 'string' ? readFile(from) : Promise.resolve(from))]));
    await pipeline(packArchive(readers, unpackedBytes), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    // The archive is what says "built": it goes last, whole, by rename.
    await rename(temp, archive);
  } catch (err) {
    await rm(temp, { force: true });
    throw new SshccError('internal', `building the toolchain pack of ${compilerPath}: ${(err as Error).message}`, { cause: err });
  }
  return { path: archive, bytes: (await stat(archive)).size };
}

/** The files of the pack, with where each comes from, and the loader's path in the pack. */
async function packSources(compilerPath: string, fingerprint: CompilerFingerprint): Promise<{ sources: Source[]; loader: string }> {
  const driver = await realpath(compilerPath);
  const programs: { name: string; path: string }[] = [];
  // gcc's driver runs cc1/cc1plus and as; clang's is its own compiler and assembler.
  if (fingerprint.cc1 !== null || fingerprint.cc1plus !== null) {
    for (const name of ['cc1', 'cc1plus', 'as']) {
      const path = await progPath(compilerPath, name);
      if (path !== null) programs.push({ name, path });
    }
    if (!programs.some((p) => p.name === 'as')) {
      throw new SshccError('compiler-not-found', `${compilerPath}: no assembler found (-print-prog-name=as)`);
    }
  }
  const libraries = new Map<string, string>();
  let loader: string | null = null;
  for (const elf of [driver, ...programs.map((p) => p.path)]) {
    const linked = await sharedLibraries(elf);
    loader ??= linked.loader;
    for (const [name, path] of linked.libraries) libraries.set(name, path);
  }
  if (loader === null) throw new SshccError('compiler-not-found', `${compilerPath}: not a dynamically linked program (ldd names no loader)`);
  const loaderName = basename(loader);
  const sources = [
    { path: `${PACK_LAYOUT.driver}/${basename(compilerPath)}`, from: driver, executable: true },
    ...programs.flatMap((p) => [
      { path: `${PACK_LAYOUT.real}/${p.name}`, from: p.path, executable: true },
      { path: `${PACK_LAYOUT.programs}/${p.name}`, from: Buffer.from(packWrapper(loaderName, p.name)), executable: true },
    ]),
    ...[...libraries].map(([name, path]) => ({ path: `${PACK_LAYOUT.libraries}/${name}`, from: path, executable: false })),
    { path: `${PACK_LAYOUT.libraries}/${loaderName}`, from: await realpath(loader), executable: true },
  ];
  return { sources, loader: `${PACK_LAYOUT.libraries}/${loaderName}` };
}

/** Where the driver finds `name`: gcc prints a path for its own programs, a bare name for one on PATH. */
async function progPath(compilerPath: string, name: string): Promise<string | null> {
  const printed = (await queryProgram(compilerPath, [`-print-prog-name=${name}`], queryEnv())).trim();
  const path = isAbsolute(printed) ? printed : resolveCompiler(printed, process.env.PATH);
  if (path === null) return null;
  return realpath(path).catch(() => null);
}

/** `ldd`'s answer: the loader (the line without `=>`) and each library by the name the program asks for. */
async function sharedLibraries(elf: string): Promise<{ loader: string | null; libraries: Map<string, string> }> {
  const out = await queryProgram('ldd', [elf], queryEnv());
  const libraries = new Map<string, string>();
  let loader: string | null = null;
  for (const line of out.split('\n')) {
    const linked = /^\s*(\S+) => (\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (linked) {
      libraries.set(linked[1] as string, await realpath(linked[2] as string));
      continue;
    }
    if (/=> not found/.test(line)) throw new SshccError('compiler-not-found', `${elf} needs a library this machine lacks: ${line.trim()}`);
    const bare = /^\s*(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (bare) loader = bare[1] as string;
  }
  return { loader, libraries };
}
