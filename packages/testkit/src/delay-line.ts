import type { Socket } from 'node:net';

/**
 * Bytes one direction may hold (queued in the line plus waiting in the receiver's write buffer) before it
 * stops reading its sender: far above any bandwidth-delay product a test link has, and still bounded.
 */
export const MAX_HELD_BYTES = 4 * 1024 * 1024;

interface Held {
  due: number;
  /** null: the sender's end of stream, passed on after the same delay as its data. */
  chunk: Buffer | null;
}

/**
 * One direction of a relayed TCP connection, delayed by a fixed time: a delay line, not stop-and-wait.
 * Every chunk leaves `delayMs` after it arrived, in order, while later chunks keep arriving, so a link's
 * throughput is kept and only its latency grows. Stalled, it neither reads nor releases: the link stops
 * moving without losing a byte, and what was held leaves at once when it moves again.
 */
export class DelayLine {
  private readonly queue: Held[] = [];
  private held = 0;
  private timer: NodeJS.Timeout | undefined;
  private stalled: boolean;
  private endTaken = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delayMs: number,
    stalled: boolean,
  ) {
    this.stalled = stalled;
    from.on('data', (chunk: Buffer) => this.take(chunk));
    from.on('end', () => this.take(null));
    to.on('drain', () => this.flow());
    this.flow();
  }

  /** True once the sender's end of stream is in the line (it will reach the receiver in order). */
  get endTakenIn(): boolean {
    return this.endTaken;
  }

  setStalled(stalled: boolean): void {
    this.stalled = stalled;
    this.release();
    this.flow();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private take(chunk: Buffer | null): void {
    if (chunk === null) this.endTaken = true;
    else this.held += chunk.length;
    this.queue.push({ due: performance.now() + this.delayMs, chunk });
    this.release();
    this.flow();
  }

  private release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stalled || this.to.destroyed) return;
    const now = performance.now();
    for (let next = this.queue[0]; next !== undefined && next.due <= now; next = this.queue[0]) {
      this.queue.shift();
      if (next.chunk === null) {
        this.to.end();
      } else {
        this.held -= next.chunk.length;
        this.to.write(next.chunk);
      }
    }
    const next = this.queue[0];
    if (next !== undefined) {
      this.timer = setTimeout(() => {
        this.release();
        this.flow();
      }, Math.ceil(next.due - now));
    }
  }

  /** Reads the sender only while the link moves and the held bytes stay bounded (backpressure, not a buffer without end). */
  private flow(): void {
    if (this.from.destroyed) return;
    if (this.stalled || this.held + this.to.writableLength >= MAX_HELD_BYTES) this.from.pause();
    else this.from.resume();
  }
}
