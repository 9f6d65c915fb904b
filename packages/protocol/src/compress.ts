import * as zlib from 'node:zlib';
import { ZstdCodec } from 'zstd-codec';
import type { Compression } from './messages';
import { ProtocolError } from './protocol-error';
import { storedZstdFrame, withContentSize, zstdContentSize, zstdDecodeBound } from './zstd-frame';

/** The level when nothing measured says otherwise (a server's outputs, a link not yet measured). */
export const ZSTD_LEVEL = 1;

/**
 * Which zstd does the work, best first: Node's own (≥ 22.15 / 23.8), the native binding (prebuilt per
 * platform, no install script), the WASM build (always loads; ~2.7× the CPU per MB of the native ones).
 * Every one writes and reads standard frames, so either end may use any.
 */
export const ZSTD_ENGINES = ['node', 'binding', 'wasm'] as const;
export type ZstdEngine = (typeof ZSTD_ENGINES)[number];

/** Turns raw chunks into data-frame payloads and back. */
export interface DataCodec {
  readonly name: Compression;
  /** Which zstd this process uses ('none' codec: none). */
  readonly engine: ZstdEngine | null;
  /** `level` 0: a stored zstd frame (the bytes as they are); default ZSTD_LEVEL. Ignored by 'none'. */
  encode(raw: Uint8Array, level?: number): Buffer;
  /** Refuses, before inflating, a payload that would decode to more than `maxRawBytes` (or to nothing). */
  decode(payload: Buffer, maxRawBytes: number): Buffer;
}

/** One engine's two calls; `decompress` may assume `declared` was checked and must not exceed it. */
interface Zstd {
  readonly engine: ZstdEngine;
  compress(raw: Uint8Array, level: number): Buffer;
  decompress(payload: Buffer, declared: number, maxRawBytes: number): Buffer | null;
}

/**
 * A streaming decoder inflates until the frame ends; a frame whose blocks could make more than this
 * many times the chunk limit is refused before it starts (a real encoder's blocks stay far below).
 */
const DECODE_BOUND_FACTOR = 64;

const loaded = new Map<ZstdEngine, Promise<Zstd | null>>();

/** `engine`: that one or null if it does not load here; absent: the best that loads. */
export async function loadDataCodec(name: Compression, engine?: ZstdEngine): Promise<DataCodec> {
  if (name === 'none') return NO_COMPRESSION;
  const zstd = engine !== undefined ? await loadEngine(engine) : await bestEngine();
  if (!zstd) throw new Error(`zstd engine ${engine} does not load here`);
  return {
    name,
    engine: zstd.engine,
    encode(raw, level = ZSTD_LEVEL) {
      return level === 0 ? storedZstdFrame(raw) : zstd.compress(raw, level);
    },
    decode(payload, maxRawBytes) {
      const declared = zstdContentSize(payload);
      checkRawSize(declared, maxRawBytes);
      const out = zstd.decompress(payload, declared, maxRawBytes);
      if (!out || out.length !== declared) throw new ProtocolError('data frame does not decompress');
      return out;
    },
  };
}

async function bestEngine(): Promise<Zstd> {
  for (const engine of ZSTD_ENGINES) {
    const zstd = await loadEngine(engine);
    if (zstd) return zstd;
  }
  throw new Error('no zstd engine loads');
}

function loadEngine(engine: ZstdEngine): Promise<Zstd | null> {
  let zstd = loaded.get(engine);
  if (!zstd) {
    zstd = engine === 'node' ? Promise.resolve(nodeZstd()) : engine === 'binding' ? Promise.resolve(bindingZstd()) : wasmZstd();
    loaded.set(engine, zstd);
  }
  return zstd;
}

/** node:zlib's zstd, typed here because @types/node 20 predates it. */
interface NodeZlibZstd {
  zstdCompressSync(raw: Uint8Array, options: { params: Record<number, number>; pledgedSrcSize?: number }): Buffer;
  zstdDecompressSync(payload: Uint8Array, options: { maxOutputLength: number }): Buffer;
  constants: { ZSTD_c_compressionLevel: number };
}

function nodeZstd(): Zstd | null {
  const z = zlib as unknown as Partial<NodeZlibZstd>;
  if (typeof z.zstdCompressSync !== 'function' || typeof z.zstdDecompressSync !== 'function' || !z.constants) return null;
  const { zstdCompressSync, zstdDecompressSync } = z as NodeZlibZstd;
  const levelParam = (z as NodeZlibZstd).constants.ZSTD_c_compressionLevel;
  return {
    engine: 'node',
    compress: (raw, level) => withContentSize(zstdCompressSync(raw, { params: { [levelParam]: level }, pledgedSrcSize: raw.length }), raw.length),
    // Its own output limit stops a frame that inflates past what it declares.
    decompress(payload, declared) {
      try {
        return zstdDecompressSync(payload, { maxOutputLength: Math.max(declared, 1) });
      } catch {
        return null;
      }
    },
  };
}

interface ZstdBinding {
  Encoder: new (level: number) => { encodeSync(raw: Buffer): Buffer };
  Decoder: new () => { decodeSync(payload: Buffer): Buffer };
}

function bindingZstd(): Zstd | null {
  let binding: ZstdBinding;
  try {
    // A native module: absent from the server's one-file bundle, and where no prebuilt binary fits.
    binding = require('@toondepauw/node-zstd') as ZstdBinding;
  } catch {
    return null;
  }
  const encoders = new Map<number, { encodeSync(raw: Buffer): Buffer }>();
  const decoder = new binding.Decoder();
  return {
    engine: 'binding',
    compress(raw, level) {
      let encoder = encoders.get(level);
      if (!encoder) encoders.set(level, (encoder = new binding.Encoder(level)));
      // It streams, so its header lacks the size every sshcc receiver requires.
      return withContentSize(encoder.encodeSync(toBuffer(raw)), raw.length);
    },
    // It has no output limit: only a single frame whose blocks cannot inflate far is given to it.
    decompress(payload, _declared, maxRawBytes) {
      const bound = zstdDecodeBound(payload);
      if (bound > DECODE_BOUND_FACTOR * maxRawBytes) throw new ProtocolError(`data frame's blocks could decompress to ${bound} bytes`);
      try {
        return decoder.decodeSync(payload);
      } catch {
        return null;
      }
    },
  };
}

/** The WASM module is instantiated once per process (~25 ms), on first use. */
async function wasmZstd(): Promise<Zstd> {
  type Module = Parameters<Parameters<typeof ZstdCodec.run>[0]>[0];
  const simple = new (await new Promise<Module>((resolve) => ZstdCodec.run(resolve))).Simple();
  return {
    engine: 'wasm',
    compress(raw, level) {
      const out = simple.compress(raw, level);
      if (!out) throw new Error(`zstd could not compress ${raw.length} bytes`);
      return toBuffer(out);
    },
    // Writes into exactly the declared bytes and fails on anything longer.
    decompress: (payload) => {
      const out = simple.decompress(payload);
      return out ? toBuffer(out) : null;
    },
  };
}

const NO_COMPRESSION: DataCodec = {
  name: 'none',
  engine: null,
  encode: (raw) => toBuffer(raw),
  decode(payload, maxRawBytes) {
    checkRawSize(payload.length, maxRawBytes);
    return payload;
  },
};

function checkRawSize(bytes: number, maxRawBytes: number): void {
  if (bytes === 0) throw new ProtocolError('empty data frame');
  if (bytes > maxRawBytes) {
    throw new ProtocolError(`data frame decompresses to ${bytes} bytes, more than the ${maxRawBytes} allowed`);
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
