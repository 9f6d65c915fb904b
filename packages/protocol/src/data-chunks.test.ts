import { Readable } from 'node:stream';
import { dataChunks } from '@sshcc/protocol';

async function collect(source: Parameters<typeof dataChunks>[0], chunkBytes: number): Promise<number[]> {
  const sizes: number[] = [];
  for await (const chunk of dataChunks(source, chunkBytes)) sizes.push(chunk.length);
  return sizes;
}

describe('dataChunks', () => {
  it('cuts a buffer into chunks of at most the chunk size', async () => {
    expect(await collect(Buffer.alloc(25), 10)).toEqual([10, 10, 5]);
    expect(await collect(Buffer.alloc(0), 10)).toEqual([]);
  });

  it('joins the small pieces of a stream and splits the large ones', async () => {
    const pieces = [3, 3, 3, 3, 25, 1].map((n, i) => Buffer.alloc(n, i));
    expect(await collect(Readable.from(pieces), 10)).toEqual([10, 10, 10, 8]);
  });

  it('keeps the bytes in order', async () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    const pieces = text.match(/.{1,4}/g) as string[];
    const out: Buffer[] = [];
    for await (const chunk of dataChunks(Readable.from(pieces), 7)) out.push(chunk);
    expect(Buffer.concat(out).toString()).toBe(text);
  });
});
