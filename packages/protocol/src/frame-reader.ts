import type { Readable } from 'node:stream';
import { FRAME_TYPES, frameTypeOfCode, isReceivedBy, type FrameType, type Role } from './frame-types';
import { FRAME_HEADER_BYTES } from './limits';
import { ProtocolError } from './protocol-error';

export interface Frame {
  readonly type: FrameType;
  readonly payload: Buffer;
}

/** Parsed frames waiting for the consumer before the reader pauses its input. */
const QUEUED_FRAMES_BEFORE_PAUSE = 4;

/**
 * Cuts a byte stream into frames for one role. Each frame passes, in order: the header is complete,
 * its type is one this role receives, its length is within that type's limit, and only then is its
 * body awaited and assembled. The first violation is final: `next()` rejects with it from then on.
 */
export class FrameReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private readonly frames: Frame[] = [];
  private failure: ProtocolError | null = null;
  private ended = false;
  private waiter: { resolve: () => void } | null = null;
  /** The header of the frame whose body is awaited, once it passed its checks. */
  private pending: { type: FrameType; length: number } | null = null;

  constructor(
    private readonly input: Readable,
    private readonly role: Role,
  ) {
    input.on('data', (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    input.on('end', () => this.onEnd());
    // A destroyed stream (an ssh2 channel torn down, a killed process) may close without 'end'.
    input.on('close', () => this.onEnd());
    input.on('error', (err: Error) => this.fail(new ProtocolError(`read failed: ${err.message}`, { cause: err })));
  }

  /** The next frame; `null` once the stream ended cleanly between frames. */
  async next(): Promise<Frame | null> {
    for (;;) {
      if (this.frames.length > 0) {
        const frame = this.frames.shift() as Frame;
        if (this.frames.length < QUEUED_FRAMES_BEFORE_PAUSE && !this.ended && !this.failure) this.input.resume();
        return frame;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.waiter = { resolve }));
    }
  }

  /** Stops reading for good (the connection is being dropped). */
  stop(error: ProtocolError): void {
    this.frames.length = 0;
    this.fail(error);
  }

  private onData(chunk: Buffer): void {
    if (this.failure || this.ended) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      this.parse();
    } catch (err) {
      this.fail(err as ProtocolError);
      return;
    }
    if (this.frames.length >= QUEUED_FRAMES_BEFORE_PAUSE) this.input.pause();
    this.wake();
  }

  private parse(): void {
    for (;;) {
      if (!this.pending) {
        if (this.buffered < FRAME_HEADER_BYTES) return;
        const header = this.peek(FRAME_HEADER_BYTES);
        this.pending = this.checkHeader(header);
      }
      const { type, length } = this.pending;
      if (this.buffered < FRAME_HEADER_BYTES + length) return;
      this.take(FRAME_HEADER_BYTES);
      this.frames.push({ type, payload: this.take(length) });
      this.pending = null;
    }
  }

  private checkHeader(header: Buffer): { type: FrameType; length: number } {
    const length = header.readUInt32BE(0);
    const code = header[4] as number;
    const type = frameTypeOfCode(code);
    if (type === undefined) {
      throw this.textOr(`unknown frame type 0x${code.toString(16).padStart(2, '0')}`);
    }
    if (!isReceivedBy(type, this.role)) {
      throw new ProtocolError(`unexpected ${type} frame: a ${this.role} never receives one`);
    }
    const max = FRAME_TYPES[type].maxBytes;
    if (length > max) throw this.textOr(`${type} frame of ${length} bytes exceeds the limit of ${max}`);
    return { type, length };
  }

  /**
   * Text where a frame should be is nearly always a remote shell's startup file printing to stdout,
   * or an exec'd command that is not sshcc-server; say so rather than quote a nonsense length.
   */
  private textOr(message: string): ProtocolError {
    const head = this.peek(Math.min(this.buffered, 60));
    const text = head.toString('latin1');
    if (/^[\x20-\x7e\t\r\n]{5,}$/.test(text)) {
      const shown = text.replace(/\s+/g, ' ').trim();
      const hint =
        this.role === 'client'
          ? 'does a shell startup file on the volunteer print to stdout, or is the command not sshcc-server?'
          : undefined;
      return new ProtocolError(`expected a frame, got text "${shown}"`, hint ? { hint } : {});
    }
    return new ProtocolError(message);
  }

  private peek(bytes: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= bytes) return first.subarray(0, bytes);
    return Buffer.concat(this.chunks, this.buffered).subarray(0, bytes);
  }

  private take(bytes: number): Buffer {
    const parts: Buffer[] = [];
    let needed = bytes;
    while (needed > 0) {
      const first = this.chunks[0] as Buffer;
      if (first.length <= needed) {
        parts.push(first);
        this.chunks.shift();
        needed -= first.length;
      } else {
        parts.push(first.subarray(0, needed));
        this.chunks[0] = first.subarray(needed);
        needed = 0;
      }
    }
    this.buffered -= bytes;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, bytes);
  }

  private onEnd(): void {
    if (this.ended || this.failure) return;
    this.ended = true;
    if (this.buffered > 0) {
      const got = this.buffered;
      const need = this.pending ? FRAME_HEADER_BYTES + this.pending.length : FRAME_HEADER_BYTES;
      const what = this.pending ? `a ${this.pending.type} frame` : 'a frame header';
      this.failure = new ProtocolError(`stream ended inside ${what} (${got} of ${need} bytes)`);
    }
    this.wake();
  }

  private fail(error: ProtocolError): void {
    if (this.failure) return;
    this.failure = error;
    this.chunks.length = 0;
    this.buffered = 0;
    this.input.pause();
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve();
  }
}
