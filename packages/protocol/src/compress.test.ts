import { DATA_CHUNK_BYTES, loadDataCodec, zstdContentSize } from '@sshcc/protocol';

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
