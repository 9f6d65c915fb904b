import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliCompress, createBrotliDecompress, type BrotliCompress, type BrotliDecompress } from 'node:zlib';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';

// A pack travels as one tar of its file contents, each entry named by its sha256 (so a content held twice
// in a pack, or already on the volunteer, goes at most once), compressed with brotli.
//
// Why brotli, measured on gcc + g++ 12 (81 MB of tar, on these 2 cores): quality 5 with a 128 MiB
// window (large-window mode) gives 18.9 MiB in about 6 s; zstd -9 --long=27 gives 23.8 MiB and zstd -19
// 24.0 MiB in 85 s, and zstd-codec (the WASM zstd the protocol uses) runs out of memory on cc1plus.
// cc1 and cc1plus share most of their code, 30 MB apart in the tar: only a window that spans both finds
// it. Node's zlib has brotli natively on every version sshcc runs on, at both ends.
const WINDOW_BITS = 27;
const QUALITY = 5;

export function packCompressor(sizeHint: number): BrotliCompress {
  return createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: WINDOW_BITS,
      [constants.BROTLI_PARAM_LARGE_WINDOW]: 1,
      [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint,
    },
  });
}

export function packDecompressor(): BrotliDecompress {
  return createBrotliDecompress({ params: { [constants.BROTLI_DECODER_PARAM_LARGE_WINDOW]: 1 } });
}

/** A content of the archive by its sha256, read when its turn comes. */
export type ArchiveContents = ReadonlyMap<string, () => Promise<Buffer>>;

/** The compressed tar of `contents`, entries named by sha256 in sorted order: the same contents, the same bytes. */
export function packArchive(contents: ArchiveContents, sizeHint: number): Readable {
  const tar = tarPack();
  void (async () => {
    try {
      for (const hash of [...contents.keys()].sort()) {
        const data = await (contents.get(hash) as () => Promise<Buffer>)();
        await new Promise<void>((done, fail) => tar.entry({ name: hash, size: data.length, mode: 0o600, mtime: new Date(0) }, data, (err) => (err ? fail(err) : done())));
      }
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  const compressed = packCompressor(sizeHint);
  pipeline(tar as unknown as Readable, compressed).catch((err: unknown) => compressed.destroy(err as Error));
  return compressed;
}

/** The part of a built pack's archive the volunteer lacks: its entries for `wanted`, archived anew. */
export function selectFromArchive(archive: string, wanted: readonly string[], sizeHint: number): Readable {
  const want = new Set(wanted);
  const picked = new Map<string, Buffer>();
  const read = (async () => {
    const tar = tarExtract();
    tar.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk) => {
        if (want.has(header.name)) chunks.push(chunk as Buffer);
      });
      stream.on('end', () => {
        if (want.has(header.name)) picked.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    await pipeline(createReadStream(archive), packDecompressor(), tar as unknown as NodeJS.WritableStream);
    const missing = wanted.find((hash) => !picked.has(hash));
    if (missing !== undefined) throw new Error(`the pack archive ${archive} lacks ${missing}`);
  })();
  // Seen by every reader below; this only keeps an unread failure from being an unhandled rejection.
  read.catch(() => undefined);
  return packArchive(new Map(wanted.map((hash) => [hash, () => read.then(() => picked.get(hash) as Buffer)])), sizeHint);
}
