import { SOCKET_FRAME_HEADER_BYTES, FRAME_KIND } from './wire-format';
import { MAX_SOCKET_FRAME_BYTES } from './wire-limits';
import type { ReportValue } from './messages';

/** The final frame answering a stats, zero-stats or jobs request. */
export function encodeReport(value: ReportValue): Buffer {
  return jsonFrame(FRAME_KIND.report, value);
}

/** One message of a watch request's stream. */
export function encodeFeedMessage(value: ReportValue): Buffer {
  return jsonFrame(FRAME_KIND.event, value);
}

function jsonFrame(kind: number, value: ReportValue): Buffer {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  if (payload.length > MAX_SOCKET_FRAME_BYTES) throw new Error(`a report of ${payload.length} bytes is over the frame limit`);
  const header = Buffer.alloc(SOCKET_FRAME_HEADER_BYTES);
  header.writeUInt8(kind, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}
