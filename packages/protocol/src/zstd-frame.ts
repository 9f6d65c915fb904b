// Standard zstd frames (RFC 8878, section 3.1.1) built and checked by hand where a codec falls short:
// native encoders that stream leave the content size out of the header, which every sshcc receiver
// requires (the bomb check reads it); "compression off" is a frame of raw blocks, which every zstd
// decoder reads, so the wire stays zstd whatever level the sender picked; and a streaming decoder
// with no output limit is given only a frame whose blocks cannot inflate past a bound.

import { ProtocolError } from './protocol-error';

const ZSTD_MAGIC = 0xfd2fb528;
/** A block regenerates at most this much (Block_Maximum_Size caps at 128 KiB). */
const MAX_BLOCK_BYTES = 128 * 1024;
const BLOCK_HEADER_BYTES = 3;
const CHECKSUM_BYTES = 4;
const DICT_ID_BYTES = [0, 1, 2, 4] as const;
const CONTENT_SIZE_BYTES = [0, 2, 4, 8] as const;
/** Frame_Content_Size_Flag 2 (a 4-byte size), Single_Segment_Flag 1: no window descriptor. */
const STORED_DESCRIPTOR = 0xa0;
const RAW_BLOCK = 0;
const RLE_BLOCK = 1;
const COMPRESSED_BLOCK = 2;

/** `raw` as one zstd frame of raw blocks: a copy, no compressing; it declares its size. */
export function storedZstdFrame(raw: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(raw.length / MAX_BLOCK_BYTES));
  const out = Buffer.allocUnsafe(9 + blocks * BLOCK_HEADER_BYTES + raw.length);
  out.writeUInt32LE(ZSTD_MAGIC, 0);
  out[4] = STORED_DESCRIPTOR;
  out.writeUInt32LE(raw.length, 5);
  let at = 9;
  for (let from = 0, i = 0; i < blocks; i++, from += MAX_BLOCK_BYTES) {
    const size = Math.min(MAX_BLOCK_BYTES, raw.length - from);
    const last = i === blocks - 1 ? 1 : 0;
    out.writeUIntLE(last | (RAW_BLOCK << 1) | (size << 3), at, BLOCK_HEADER_BYTES);
    out.set(raw.subarray(from, from + size), at + BLOCK_HEADER_BYTES);
    at += BLOCK_HEADER_BYTES + size;
  }
  return out;
}

interface Header {
  readonly descriptor: number;
  readonly singleSegment: boolean;
  /** Bytes of the header, magic included. */
  readonly bytes: number;
  readonly contentSize: number | null;
  /** Window_Size, which with 128 KiB caps what one block may regenerate. */
  readonly windowBytes: number | null;
}

function readHeader(view: Buffer): Header {
  if (view.length < 5 || view.readUInt32LE(0) !== ZSTD_MAGIC) throw new ProtocolError('data frame is not a zstd frame');
  const descriptor = view[4] as number;
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = ((descriptor >> 5) & 1) === 1;
  const dictIdFlag = descriptor & 3;
  if ((descriptor >> 3) & 1) throw new ProtocolError('data frame has a malformed zstd header');
  if (dictIdFlag !== 0) throw new ProtocolError('data frame needs a zstd dictionary');
  const sizeBytes = contentSizeFlag === 0 ? (singleSegment ? 1 : 0) : CONTENT_SIZE_BYTES[contentSizeFlag];
  const sizeAt = 5 + (singleSegment ? 0 : 1) + DICT_ID_BYTES[dictIdFlag];
  const bytes = sizeAt + sizeBytes;
  if (view.length < bytes) throw new ProtocolError('data frame has a truncated zstd header');
  let windowBytes: number | null = null;
  if (!singleSegment) {
    const windowDescriptor = view[5] as number;
    const windowBase = 2 ** (10 + (windowDescriptor >> 3));
    windowBytes = windowBase + (windowBase / 8) * (windowDescriptor & 7);
  }
  return { descriptor, singleSegment, bytes, contentSize: sizeBytes === 0 ? null : readSize(view, sizeAt, sizeBytes), windowBytes };
}

function readSize(view: Buffer, at: number, sizeBytes: number): number {
  switch (sizeBytes) {
    case 1:
      return view.readUInt8(at);
    case 2:
      return view.readUInt16LE(at) + 256;
    case 4:
      return view.readUInt32LE(at);
    default: {
      const size = view.readBigUInt64LE(at);
      return size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size);
    }
  }
}

/** The frame's declared content size; throws when the payload is not one zstd frame that declares it. */
export function zstdContentSize(payload: Uint8Array): number {
  const size = readHeader(asBuffer(payload)).contentSize;
  if (size === null) throw new ProtocolError('data frame does not declare its decompressed size');
  return size;
}

/**
 * The same frame declaring `contentSize` in its header: a frame from a streaming encoder (which did
 * not know the size up front) gets a 4-byte Frame_Content_Size; its window and blocks are unchanged.
 * One that already declares it is returned as it is.
 */
export function withContentSize(frame: Buffer, contentSize: number): Buffer {
  const header = readHeader(frame);
  if (header.contentSize !== null) return frame;
  if (header.singleSegment) throw new ProtocolError('zstd frame without a window or a content size');
  const out = Buffer.allocUnsafe(frame.length + 4);
  out.writeUInt32LE(ZSTD_MAGIC, 0);
  out[4] = header.descriptor | (2 << 6);
  // The window descriptor (and a dictionary id, refused above) sit between descriptor and size.
  frame.copy(out, 5, 5, header.bytes);
  out.writeUInt32LE(contentSize, header.bytes);
  frame.copy(out, header.bytes + 4, header.bytes);
  return out;
}

/**
 * The most the payload can decode to, from its block headers alone: raw and RLE blocks say their size,
 * a compressed block regenerates at most the block maximum. Throws unless the payload is exactly one
 * frame (nothing after it: a second frame would be decoded too) that declares its size.
 */
export function zstdDecodeBound(payload: Uint8Array): number {
  const view = asBuffer(payload);
  const header = readHeader(view);
  if (header.contentSize === null) throw new ProtocolError('data frame does not declare its decompressed size');
  const blockMax = Math.min(MAX_BLOCK_BYTES, header.windowBytes ?? header.contentSize);
  let bound = 0;
  let at = header.bytes;
  for (;;) {
    if (at + BLOCK_HEADER_BYTES > view.length) throw new ProtocolError('data frame has a truncated zstd block');
    const block = view.readUIntLE(at, BLOCK_HEADER_BYTES);
    const type = (block >> 1) & 3;
    const size = block >>> 3;
    at += BLOCK_HEADER_BYTES;
    if (type === RAW_BLOCK) [bound, at] = [bound + size, at + size];
    else if (type === RLE_BLOCK) [bound, at] = [bound + size, at + 1];
    else if (type === COMPRESSED_BLOCK) [bound, at] = [bound + blockMax, at + size];
    else throw new ProtocolError('data frame has a reserved zstd block type');
    if (block & 1) break;
  }
  const checksum = (header.descriptor >> 2) & 1 ? CHECKSUM_BYTES : 0;
  if (at + checksum !== view.length) throw new ProtocolError('data frame is not exactly one zstd frame');
  return bound;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
