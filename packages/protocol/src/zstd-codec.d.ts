// The parts of zstd-codec (pure WASM zstd, no types of its own) that sshcc uses.
declare module 'zstd-codec' {
  interface ZstdSimple {
    /** One zstd frame that declares its content size; null on failure. */
    compress(content: Uint8Array, level?: number): Uint8Array | null;
    /** Decompresses into exactly the declared content size; null on any failure or overflow. */
    decompress(compressed: Uint8Array): Uint8Array | null;
  }
  interface ZstdModule {
    Simple: new () => ZstdSimple;
  }
  export const ZstdCodec: { run(onReady: (zstd: ZstdModule) => void): void };
}
