import type { DataCodec } from './compress';
import { dataChunks, type ByteSource } from './data-chunks';

/** One data frame of a job's source: its raw length, and its payload as it goes on the wire. */
export interface SourceFrame {
  readonly rawBytes: number;
  /** Compressed on first call (not before: a job answered meanwhile needs no more compressing). */
  payload(): Buffer;
}

/**
 * A job's source as data-frame payloads, compressed once. `prime` compresses ahead, before the request
 * goes out, to learn whether the whole source is small enough to send right behind it; what it
 * compressed is then sent first, never compressed twice.
 */
export class SourceFrames {
  private readonly chunks: AsyncGenerator<Buffer>;
  private readonly primed: SourceFrame[] = [];
  private ended = false;

  /** `level`: the zstd level of every frame (0: stored); absent: the codec's default. */
  constructor(
    source: ByteSource,
    private readonly codec: DataCodec,
    private readonly level?: number,
  ) {
    this.chunks = dataChunks(source);
  }

  /** Every chunk is compressed and in hand: sending it waits on nothing but the channel. */
  get complete(): boolean {
    return this.ended;
  }

  /** Compresses until more than `maxWireBytes` are in hand or the source ends; true if it ended within them. */
  async prime(maxWireBytes: number): Promise<boolean> {
    let wire = 0;
    while (wire <= maxWireBytes) {
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        return true;
      }
      const payload = this.codec.encode(next.value, this.level);
      this.primed.push({ rawBytes: next.value.length, payload: () => payload });
      wire += payload.length;
    }
    return false;
  }

  /**
   * A plain iterator rather than a generator: stopping early (a break) reaches the source at once
   * through `return`, so a pipe from cpp is closed as soon as the answer makes it unnecessary.
   */
  [Symbol.asyncIterator](): AsyncIterator<SourceFrame> {
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    // Promises passed through rather than async functions: no extra ticks between a break in the
    // caller and the source being closed.
    return {
      next: () => {
        const primed = this.primed.shift();
        if (primed) return Promise.resolve({ done: false, value: primed });
        if (this.ended) return Promise.resolve(done);
        return this.chunks.next().then((next) => (next.done ? done : { done: false, value: this.frameOf(next.value) }));
      },
      return: () => {
        this.ended = true;
        return this.chunks.return(undefined).then(() => done);
      },
    };
  }

  /** The answer came first: close the source now (a pipe from cpp, say) rather than at the next frame. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.chunks.return(undefined).catch(() => undefined);
  }

  private frameOf(raw: Buffer): SourceFrame {
    let payload: Buffer | null = null;
    return { rawBytes: raw.length, payload: () => (payload ??= this.codec.encode(raw, this.level)) };
  }
}
