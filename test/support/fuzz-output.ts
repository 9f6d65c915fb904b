// The server's side of a fuzzed exchange, parsed as a strict client would: every frame must be one a client
// receives, within its type's limit, and every control payload must pass its schema. A server that sends
// anything else under fuzzing has a bug of its own.

import {
  EndSchema,
  ErrorSchema,
  FRAME_HEADER_BYTES,
  FRAME_TYPES,
  ResultSchema,
  ServerHelloSchema,
  type FrameType,
} from '@sshcc/protocol';
import type { z } from 'zod';

export interface ServerFrame {
  readonly type: FrameType;
  /** Error frames: the message; results: `<kind>` or `<kind> <exit code>`; others: ''. */
  readonly text: string;
}

const SCHEMAS: Partial<Record<FrameType, z.ZodType>> = {
  hello: ServerHelloSchema,
  result: ResultSchema,
  end: EndSchema,
  error: ErrorSchema,
};

const BY_CODE = new Map((Object.keys(FRAME_TYPES) as FrameType[]).map((type) => [FRAME_TYPES[type].code as number, type]));

/** Frames parsed as bytes arrive; the first malformed one stops parsing and is kept as `error`. */
export class ServerOutput {
  readonly frames: ServerFrame[] = [];
  error: string | null = null;
  ended = false;
  private held: Buffer = Buffer.alloc(0);
  private listeners: Array<() => void> = [];

  push(chunk: Buffer): void {
    if (this.error) return;
    this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    while (!this.error && this.held.length >= FRAME_HEADER_BYTES) {
      const length = this.held.readUInt32BE(0);
      const type = BY_CODE.get(this.held[4] as number);
      if (!type || !(FRAME_TYPES[type].receivedBy as readonly string[]).includes('client')) {
        this.error = `server sent frame type 0x${(this.held[4] as number).toString(16)}`;
        break;
      }
      if (length > FRAME_TYPES[type].maxBytes) {
        this.error = `server sent a ${type} frame of ${length} bytes`;
        break;
      }
      if (this.held.length < FRAME_HEADER_BYTES + length) break;
      const payload = this.held.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
      this.held = this.held.subarray(FRAME_HEADER_BYTES + length);
      this.frames.push(this.decode(type, payload));
    }
    this.notify();
  }

  end(): void {
    if (!this.error && this.held.length > 0) this.error = `server output ended inside a frame (${this.held.length} bytes left)`;
    this.ended = true;
    this.notify();
  }

  count(type: FrameType): number {
    return this.frames.filter((frame) => frame.type === type).length;
  }

  /** Resolves once `condition` holds or the output ended; false after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (!condition() && !this.ended && !this.error) return false;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((listener) => listener !== onChange);
        resolve(true);
        return true;
      };
      const onChange = (): void => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((listener) => listener !== onChange);
        resolve(false);
      }, timeoutMs);
      if (!check()) this.listeners.push(onChange);
    });
  }

  private decode(type: FrameType, payload: Buffer): ServerFrame {
    const schema = SCHEMAS[type];
    if (!schema) return { type, text: '' };
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.error = `server sent a ${type} frame that is not JSON`;
      return { type, text: '' };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      this.error = `server sent an invalid ${type} message: ${parsed.error.issues[0]?.message ?? ''}`;
      return { type, text: '' };
    }
    const value = parsed.data as { message?: string; kind?: string; exitCode?: number | null };
    if (type === 'error') return { type, text: value.message ?? '' };
    if (type === 'result') return { type, text: value.exitCode === null || value.exitCode === undefined ? `${value.kind}` : `${value.kind} ${value.exitCode}` };
    return { type, text: '' };
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
