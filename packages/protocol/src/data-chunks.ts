import { DATA_CHUNK_BYTES } from './limits';

/** What a job's byte stream may be given as: all at once, or as it is produced (a pipe from cpp). */
export type ByteSource = Uint8Array | AsyncIterable<Uint8Array | string>;

/**
 * Re-cuts a byte source into chunks of at most `chunkBytes`, joining small pieces (a pipe yields
 * 64 KiB) so each compressed data frame is large enough to compress well. Never yields an empty chunk.
 */
export async function* dataChunks(source: ByteSource, chunkBytes = DATA_CHUNK_BYTES): AsyncGenerator<Buffer> {
  if (source instanceof Uint8Array) {
    const whole = Buffer.from(source.buffer, source.byteOffset, source.length);
    for (let at = 0; at < whole.length; at += chunkBytes) yield whole.subarray(at, at + chunkBytes);
    return;
  }
  let held: Buffer[] = [];
  let heldBytes = 0;
  for await (const piece of source) {
    let rest = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    while (heldBytes + rest.length >= chunkBytes) {
      const take = chunkBytes - heldBytes;
      yield Buffer.concat([...held, rest.subarray(0, take)], chunkBytes);
      held = [];
      heldBytes = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      held.push(rest);
      heldBytes += rest.length;
    }
  }
  if (heldBytes > 0) yield Buffer.concat(held, heldBytes);
}
