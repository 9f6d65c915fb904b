import type { Writable } from 'node:stream';
import { FRAME_TYPES, type FrameType } from './frame-types';
import { FRAME_HEADER_BYTES } from './limits';
import { ProtocolError } from './protocol-error';

/** Builds one frame's bytes; refuses a payload over its type's limit (the sender obeys the limits too). */
export function encodeFrame(type: FrameType, payload: Uint8Array): Buffer {
  const max = FRAME_TYPES[type].maxBytes;
  if (payload.length > max) {
    throw new ProtocolError(`refusing to send a ${type} frame of ${payload.length} bytes (limit ${max})`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame[4] = FRAME_TYPES[type].code;
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Writes frames in order and waits for the stream to drain, so a slow peer slows the sender down. */
export class FrameWriter {
  private closed = false;

  constructor(private readonly output: Writable) {
    const markClosed = (): void => {
      this.closed = true;
    };
    output.on('close', markClosed);
    output.on('finish', markClosed);
    // Errors (EPIPE when the peer went away) surface as a failed send; listening keeps them from
    // becoming an uncaught exception.
    output.on('error', markClosed);
  }

  get isClosed(): boolean {
    return this.closed || this.output.destroyed || this.output.writableEnded;
  }

  async send(type: FrameType, payload: Uint8Array): Promise<void> {
    const frame = encodeFrame(type, payload);
    if (this.isClosed) throw new ProtocolError(`cannot send a ${type} frame: the channel is closed`);
    if (this.output.write(frame)) return;
    await this.drained();
  }

  async sendControl(type: FrameType, message: unknown): Promise<void> {
    await this.send(type, Buffer.from(JSON.stringify(message), 'utf8'));
  }

  /** Ends the stream once everything queued is written. */
  end(): void {
    if (!this.isClosed) this.output.end();
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        this.output.off('drain', onDrain);
        this.output.off('close', onClose);
        this.output.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new ProtocolError('the channel closed while sending'));
      const onError = (err: Error): void => done(new ProtocolError(`write failed: ${err.message}`, { cause: err }));
      this.output.on('drain', onDrain);
      this.output.on('close', onClose);
      this.output.on('error', onError);
    });
  }
}
