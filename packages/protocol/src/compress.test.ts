import { execFileSync } from 'node:child_process';
import * as zlib from 'node:zlib';
import { DATA_CHUNK_BYTES, loadDataCodec, storedZstdFrame, withContentSize, zstdContentSize, zstdDecodeBound, type ZstdEngine } from '@sshcc/protocol';

/** A valid zstd frame built by hand: a header declaring `declared` bytes, then RLE blocks of zeros. */
function rleFrame(declared: number | null, blocks: number, blockBytes = 128 * 1024): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];
  if (declared === null) {
    parts.push(Buffer.from([0x00, 0x58])); // no content size; window descriptor: 8 MiB window
  } else {
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(declared));
    parts.push(Buffer.from([0xe0]), size); // 8-byte content size, single segment
  }
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const blockHeader = last | (1 << 1) | (blockBytes << 3); // RLE block
    parts.push(Buffer.from([blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff, 0x00]));
  }
  return Buffer.concat(parts);
}

/** The engines that load on this Node: WASM always, the binding where its prebuilt binary fits, node:zlib from Node 22.15. */
const ENGINES: ZstdEngine[] = ['wasm', 'binding', ...('zstdCompressSync' in zlib ? (['node'] as const) : [])];
/** C source text, as a job's preprocessed source is. */
const TEXT = Buffer.from('static int f(int x) { return x * 2 + 1; } /* comment */\n'.repeat(9000)).subarray(0, DATA_CHUNK_BYTES);

describe.each(ENGINES)('zstd engine %s', (engine) => {
  it('loads, and its frames declare their size and are read by every other engine', async () => {
    const codec = await loadDataCodec('zstd', engine);
    expect(codec.engine).toBe(engine);
    for (const level of [0, 1, 3, 9]) {
      const payload = codec.encode(TEXT, level);
      expect(zstdContentSize(payload)).toBe(TEXT.length);
      if (level > 0) expect(payload.length).toBeLessThan(TEXT.length / 20);
      for (const other of ENGINES) expect((await loadDataCodec('zstd', other)).decode(payload, DATA_CHUNK_BYTES)).toEqual(TEXT);
    }
  });

  it('refuses a frame whose blocks inflate past the size it declares', async () => {
    const codec = await loadDataCodec('zstd', engine);
    expect(() => codec.decode(rleFrame(100_000, 64), DATA_CHUNK_BYTES)).toThrow('data frame does not decompress');
  });

  it('refuses a frame with another frame behind it', async () => {
    const codec = await loadDataCodec('zstd', engine);
    const one = codec.encode(TEXT.subarray(0, 1000));
    expect(() => codec.decode(Buffer.concat([one, rleFrame(100_000, 1)]), DATA_CHUNK_BYTES)).toThrow();
  });
});

describe('zstd frames built by hand', () => {
  it('a stored frame is read by the zstd command', () => {
    const raw = Buffer.concat([TEXT, TEXT]).subarray(0, 300_000);
    expect(execFileSync('zstd', ['-dc'], { input: storedZstdFrame(raw), maxBuffer: 1 << 20 })).toEqual(raw);
  });

  it('a streamed frame given its size is still read by the zstd command, and says the size', () => {
    const streamed = execFileSync('zstd', ['-1', '-c', '--no-content-size'], { input: TEXT });
    expect(() => zstdContentSize(streamed)).toThrow('does not declare');
    const sized = withContentSize(streamed, TEXT.length);
    expect(zstdContentSize(sized)).toBe(TEXT.length);
    expect(execFileSync('zstd', ['-dc'], { input: sized, maxBuffer: 1 << 20 })).toEqual(TEXT);
  });

  it('bounds what a frame can decode to from its blocks', () => {
    expect(zstdDecodeBound(storedZstdFrame(TEXT))).toBe(TEXT.length);
    expect(zstdDecodeBound(rleFrame(1000, 64))).toBe(64 * 128 * 1024);
    expect(() => zstdDecodeBound(Buffer.concat([storedZstdFrame(TEXT), Buffer.from([0])]))).toThrow('not exactly one zstd frame');
  });
});

describe('zstd data codec', () => {
  it('round-trips a chunk and compresses text', async () => {
    const codec = await loadDataCodec('zstd');
    const raw = Buffer.from('int main(void) { return 0; }\n'.repeat(5000));
    const payload = codec.encode(raw);
    expect(payload.length).toBeLessThan(raw.length / 20);
    expect(zstdContentSize(payload)).toBe(raw.length);
    expect(codec.decode(payload, DATA_CHUNK_BYTES)).toEqual(raw);
  });

  it('refuses a bomb from its header: 1 GiB declared in 32 KiB, nothing inflated', async () => {
    const codec = await loadDataCodec('zstd');
    const bomb = rleFrame(1024 * 1024 * 1024, 8192);
    expect(bomb.length).toBeLessThan(40 * 1024);
    const started = Date.now();
    expect(() => codec.decode(bomb, DATA_CHUNK_BYTES)).toThrow(
      'data frame decompresses to 1073741824 bytes, more than the 262144 allowed',
    );
    // The header check's words: an attempt to inflate fails otherwise (this WASM zstd runs out of memory
    // before 64 MiB). The time only says no work was done, loosely, so a loaded machine's pauses don't count.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a frame whose blocks inflate past the size it declares', async () => {
    const codec = await loadDataCodec('zstd');
    expect(() => codec.decode(rleFrame(1000, 64), DATA_CHUNK_BYTES)).toThrow('data frame does not decompress');
  });

  it('accepts a hand-built frame that is honest about its size', async () => {
    const codec = await loadDataCodec('zstd');
    expect(codec.decode(rleFrame(2 * 1024, 2, 1024), DATA_CHUNK_BYTES)).toEqual(Buffer.alloc(2048));
  });

  it('refuses a frame that does not declare its size', async () => {
    const codec = await loadDataCodec('zstd');
    expect(() => codec.decode(rleFrame(null, 1), DATA_CHUNK_BYTES)).toThrow(
      'data frame does not declare its decompressed size',
    );
  });

  it('refuses bytes that are not zstd, and an empty chunk', async () => {
    const codec = await loadDataCodec('zstd');
    expect(() => codec.decode(Buffer.from('hello world'), DATA_CHUNK_BYTES)).toThrow('data frame is not a zstd frame');
    expect(() => codec.decode(codec.encode(Buffer.alloc(0)), DATA_CHUNK_BYTES)).toThrow('empty data frame');
  });
});

describe('uncompressed data codec', () => {
  it('passes bytes through and still enforces the chunk limit', async () => {
    const codec = await loadDataCodec('none');
    const raw = Buffer.from('abc');
    expect(codec.encode(raw)).toEqual(raw);
    expect(codec.decode(raw, 3)).toEqual(raw);
    expect(() => codec.decode(Buffer.alloc(4), 3)).toThrow('data frame decompresses to 4 bytes, more than the 3 allowed');
  });
});
