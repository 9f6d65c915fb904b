import { SOCKET_FRAME_HEADER_BYTES, FRAME_KIND } from './wire-format';
import { MAX_SOCKET_FRAME_BYTES } from './wire-limits';

export type ReportFrame = { readonly kind: 'report' | 'event'; readonly value: unknown };

export type ReportStep = { readonly state: 'frames'; readonly frames: readonly ReportFrame[] } | { readonly state: 'bad'; readonly why: string };

/**
 * Reads the agent's answers to the CLI's report and watch requests: report frames (one, final) and
 * event frames (a stream). Each header is checked before its payload is waited for.
 */
export class ReportDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ReportStep {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: ReportFrame[] = [];
    while (this.pending.length >= SOCKET_FRAME_HEADER_BYTES) {
      const kind = this.pending.readUInt8(0);
      const length = this.pending.readUInt32BE(1);
      if (kind !== FRAME_KIND.report && kind !== FRAME_KIND.event) return { state: 'bad', why: `unexpected frame kind ${kind}` };
      if (length > MAX_SOCKET_FRAME_BYTES) return { state: 'bad', why: `frame of ${length} bytes is over the limit` };
      if (this.pending.length < SOCKET_FRAME_HEADER_BYTES + length) break;
      const payload = this.pending.subarray(SOCKET_FRAME_HEADER_BYTES, SOCKET_FRAME_HEADER_BYTES + length);
      this.pending = this.pending.subarray(SOCKET_FRAME_HEADER_BYTES + length);
      let value: unknown;
      try {
        value = JSON.parse(payload.toString('utf8'));
      } catch {
        return { state: 'bad', why: 'a report frame is not JSON' };
      }
      frames.push({ kind: kind === FRAME_KIND.report ? 'report' : 'event', value });
    }
    return { state: 'frames', frames };
  }
}
