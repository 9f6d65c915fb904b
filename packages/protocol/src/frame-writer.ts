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

/** Corked frames past this many bytes are written at once: a batch never holds a whole large stream. */
const MAX_CORKED_BYTES = 64 * 1024;

/** Writes frames in order and waits for the stream to drain, so a slow peer slows the sender down. */
export class FrameWriter {
  private closed = false;
  /** While corked: frames not yet written, to go out as one write (one ssh packet for a small job). */
  private corked: Buffer[] | null = null;
  private corkedBytes = 0;

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
    if (this.corked) {
      this.corked.push(frame);
      this.corkedBytes += frame.length;
      if (this.corkedBytes <= MAX_CORKED_BYTES) return;
      await this.flush();
      return;
    }
    if (this.output.write(frame)) return;
    await this.drained();
  }

  /**
   * Frames sent from now until `uncork` go out together: a job's request, source and end (or a
   * result, outputs and end) cost the channel one write, and ssh one packet, instead of one each.
   */
  cork(): void {
    this.corked ??= [];
  }

  /** Writes what was corked, now; nothing is held back after this. */
  uncork(): void {
    void this.flush(false).catch(() => undefined);
  }

  /** Writes the corked frames as one buffer; keeps corking unless `stayCorked` is false. */
  private async flush(stayCorked = true): Promise<void> {
    const frames = this.corked;
    this.corked = stayCorked ? [] : null;
    this.corkedBytes = 0;
    if (!frames || frames.length === 0 || this.isClosed) return;
    if (this.output.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames))) return;
    await this.drained();
  }

  async sendControl(type: FrameType, message: unknown): Promise<void> {
    await this.send(type, Buffer.from(JSON.stringify(message), 'utf8'));
  }

  /** Ends the stream once everything queued (and corked) is written. */
  end(): void {
    this.uncork();
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
