// The per-compile socket protocol between a client (the C shim or the TS thin client) and the agent.
// It is binary and flat so that the C shim needs no parser: a fixed header, NUL-terminated strings,
// and answer frames `u8 kind | u32 length | payload`. packages/client/src/agent/README.md documents it;
// shim/sshcc-shim.h repeats these numbers (a test checks they agree).

/** "SSCC": the first four bytes of every request. */
export const REQUEST_MAGIC = 0x53534343;
export const WIRE_VERSION = 1;
/** magic u32 | version u8 | kind u8 | reserved u16 (0) | body length u32, all big-endian. */
export const REQUEST_HEADER_BYTES = 12;
/** compile body: umask u32 | argc u32 | envc u32, then the strings. */
export const COMPILE_BODY_FIXED_BYTES = 12;

export const REQUEST_KIND = {
  compile: 1,
  status: 2,
  stop: 3,
} as const;
export type RequestKind = keyof typeof REQUEST_KIND;

/** `u8 kind | u32 length`, then `length` payload bytes. */
export const FRAME_HEADER_BYTES = 5;

export const FRAME_KIND = {
  /** Final. Payload: argv as NUL-terminated strings; the client execs argv[0] with its own stdio. */
  exec: 1,
  /** Payload: bytes for the client's stdout; may repeat, the client writes them all in one write. */
  stdout: 2,
  /** Payload: bytes for the client's stderr; may repeat, written in one write after stdout. */
  stderr: 3,
  /** Final. Payload: u32 exit code (0..255). */
  exit: 4,
  /** Final. Payload: u32 signal number: the compiler was killed by it; the client re-raises it. */
  signal: 5,
  /** Final (status and stop requests only). Payload: UTF-8 JSON, see AgentStatus. */
  status: 6,
} as const;
export type FrameKind = keyof typeof FRAME_KIND;

export function isFinalFrame(kind: number): boolean {
  return kind === FRAME_KIND.exec || kind === FRAME_KIND.exit || kind === FRAME_KIND.signal || kind === FRAME_KIND.status;
}
