import type { Duplex, Readable, Writable } from 'node:stream';
import { decodeControl } from './decode-control';
import { FrameReader, type Frame } from './frame-reader';
import type { FrameType, Role } from './frame-types';
import { FrameWriter } from './frame-writer';
import { ErrorSchema } from './messages';
import { MAX_MESSAGE_CHARS } from './limits';
import { ProtocolError, isProtocolError } from './protocol-error';

/** The two directions of a channel: an ssh2 channel is one Duplex; a server has stdin and stdout. */
export interface FrameIo {
  readonly input: Readable;
  readonly output: Writable;
}
export type FrameStream = Duplex | FrameIo;

export function toFrameIo(stream: FrameStream): FrameIo {
  return 'input' in stream && 'output' in stream ? stream : { input: stream as Duplex, output: stream as Duplex };
}

/** Frames in both directions for one role, and the one way to drop the connection on a violation. */
export class FrameConnection {
  private readonly reader: FrameReader;
  readonly writer: FrameWriter;
  private failure: Error | null = null;

  constructor(
    readonly io: FrameIo,
    readonly role: Role,
  ) {
    this.reader = new FrameReader(io.input, role);
    this.writer = new FrameWriter(io.output);
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** The next frame, `null` at a clean end of stream. The peer's error frame becomes a ProtocolError. */
  async next(): Promise<Frame | null> {
    if (this.failure) throw this.failure;
    const frame = await this.reader.next();
    if (frame?.type === 'error') {
      const { message } = decodeControl('error', ErrorSchema, frame.payload);
      const peer = this.role === 'client' ? 'sshcc-server' : 'client';
      throw this.markFailed(new ProtocolError(`${peer}: ${message}`));
    }
    return frame;
  }

  /** The next frame, which must be of `type` (a clean end of stream is an error here too). */
  async expect(type: FrameType, during: string): Promise<Frame> {
    const frame = await this.next();
    if (!frame) throw new ProtocolError(`channel closed during ${during}`);
    if (frame.type !== type) throw new ProtocolError(`expected a ${type} frame during ${during}, got ${frame.type}`);
    return frame;
  }

  send(type: FrameType, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.writer.send(type, payload);
  }

  sendControl(type: FrameType, message: unknown): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.writer.sendControl(type, message);
  }

  /** See FrameWriter.cork: the frames sent until `uncork` go out in one write. */
  cork(): void {
    this.writer.cork();
  }

  uncork(): void {
    this.writer.uncork();
  }

  /**
   * Drops the connection: tells the peer why in an error frame (unless the peer is the one who
   * said so, or the channel is already gone), stops reading and ends the output. Idempotent.
   */
  abandon(err: unknown): Error {
    if (this.failure) return this.failure;
    const failure = this.markFailed(err instanceof Error ? err : new Error(String(err)));
    if (isProtocolError(failure) && !failure.message.startsWith('sshcc-server: ') && !failure.message.startsWith('client: ')) {
      const message = failure.message.slice(0, MAX_MESSAGE_CHARS);
      this.writer.sendControl('error', { message }).catch(() => undefined);
    }
    this.reader.stop(failure instanceof ProtocolError ? failure : new ProtocolError(failure.message, { cause: failure }));
    this.writer.end();
    return failure;
  }

  /** Ends our side cleanly (no more frames from us). */
  endOutput(): void {
    this.writer.end();
  }

  private markFailed(err: Error): Error {
    this.failure ??= err;
    return this.failure;
  }
}
