// The frame types: one row each, with the largest payload it may carry and which end may receive it.
// The type byte is checked against the receiver's row before the length, and the length before the
// body is read, so a peer cannot make either end buffer more than the row allows.

import {
  MAX_DATA_FRAME_BYTES,
  MAX_HELLO_BYTES,
  MAX_JOB_REQUEST_BYTES,
  MAX_PACK_OFFER_BYTES,
  MAX_RESULT_BYTES,
  MAX_SMALL_CONTROL_BYTES,
} from './limits';

export type Role = 'client' | 'server';

export interface FrameTypeRow {
  readonly code: number;
  readonly maxBytes: number;
  /** Control payloads are JSON checked by a zod schema; data payloads are (compressed) bytes. */
  readonly control: boolean;
  readonly receivedBy: readonly Role[];
}

export const FRAME_TYPES = {
  /** Server → client first (what it offers), then client → server (what it chose). */
  hello: { code: 0x01, maxBytes: MAX_HELLO_BYTES, control: true, receivedBy: ['client', 'server'] },
  /** Client → server: one compile request; source data frames follow, then end (or cancel). */
  job: { code: 0x02, maxBytes: MAX_JOB_REQUEST_BYTES, control: true, receivedBy: ['server'] },
  /** Either way: one chunk of a byte stream (source up, output archive down). */
  data: { code: 0x03, maxBytes: MAX_DATA_FRAME_BYTES, control: false, receivedBy: ['client', 'server'] },
  /** Either way: the byte stream of a job is complete; carries its raw length as a check. */
  end: { code: 0x04, maxBytes: MAX_SMALL_CONTROL_BYTES, control: true, receivedBy: ['client', 'server'] },
  /** Client → server: stop this job now (kill the compiler); also ends an unfinished source stream. */
  cancel: { code: 0x05, maxBytes: MAX_SMALL_CONTROL_BYTES, control: true, receivedBy: ['server'] },
  /** Server → client: how the job went; the output archive follows as data frames, then end. */
  result: { code: 0x06, maxBytes: MAX_RESULT_BYTES, control: true, receivedBy: ['client'] },
  /** Either way: the sender found the peer broke the protocol and is closing; carries one line why. */
  error: { code: 0x07, maxBytes: MAX_SMALL_CONTROL_BYTES, control: true, receivedBy: ['client', 'server'] },
  /** Server → client: send the source of this job now (it was held back for a cache lookup that missed). */
  need: { code: 0x08, maxBytes: MAX_SMALL_CONTROL_BYTES, control: true, receivedBy: ['client'] },
  /** Client → server: a toolchain pack's manifest; the archive of what the server wants follows as data frames, then end. */
  pack: { code: 0x09, maxBytes: MAX_PACK_OFFER_BYTES, control: true, receivedBy: ['server'] },
  /** Server → client: the files of the offered pack it lacks. */
  want: { code: 0x0a, maxBytes: MAX_PACK_OFFER_BYTES, control: true, receivedBy: ['client'] },
  /** Server → client: the pack is stored and checked, or why not. */
  packed: { code: 0x0b, maxBytes: MAX_SMALL_CONTROL_BYTES, control: true, receivedBy: ['client'] },
} as const satisfies Record<string, FrameTypeRow>;

export type FrameType = keyof typeof FRAME_TYPES;

const BY_CODE: ReadonlyMap<number, FrameType> = new Map(
  (Object.keys(FRAME_TYPES) as FrameType[]).map((name) => [FRAME_TYPES[name].code, name]),
);

export function frameTypeOfCode(code: number): FrameType | undefined {
  return BY_CODE.get(code);
}

export function isReceivedBy(type: FrameType, role: Role): boolean {
  return (FRAME_TYPES[type].receivedBy as readonly Role[]).includes(role);
}
