// Reads the decompressed size a zstd frame declares in its header (RFC 8878, section 3.1.1.1), so a
// data frame can be refused before it is inflated: the defence against a zstd bomb.

import { ProtocolError } from './protocol-error';

const ZSTD_MAGIC = 0xfd2fb528;
const DICT_ID_BYTES = [0, 1, 2, 4] as const;
const CONTENT_SIZE_BYTES = [0, 2, 4, 8] as const;

/** The frame's declared content size; throws when the payload is not one zstd frame that declares it. */
export function zstdContentSize(payload: Uint8Array): number {
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  if (view.length < 5 || view.readUInt32LE(0) !== ZSTD_MAGIC) {
    throw new ProtocolError('data frame is not a zstd frame');
  }
  const descriptor = view[4] as number;
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const reserved = (descriptor >> 3) & 1;
  const dictIdFlag = descriptor & 3;
  if (reserved) throw new ProtocolError('data frame has a malformed zstd header');
  if (dictIdFlag !== 0) throw new ProtocolError('data frame needs a zstd dictionary');
  const sizeBytes = contentSizeFlag === 0 ? singleSegment : CONTENT_SIZE_BYTES[contentSizeFlag];
  if (!sizeBytes) throw new ProtocolError('data frame does not declare its decompressed size');
  const at = 5 + (singleSegment ? 0 : 1) + DICT_ID_BYTES[dictIdFlag];
  if (view.length < at + sizeBytes) throw new ProtocolError('data frame has a truncated zstd header');
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
