// The per-compile socket protocol between a client (the C shim or the TS thin client) and the agent.
// It is binary and flat so that the C shim needs no parser: a fixed header, NUL-terminated strings,
// and answer frames `u8 kind | u32 length | payload`. packages/client/src/agent/README.md documents it;
// shim/sshcc-shim.h repeats these numbers (a test checks they agree).

/** "SSCC": the first four bytes of every request. */
export const REQUEST_MAGIC = 0x53534343;
/**
 * 2: the client runs the preprocessor when the agent asks (a `preprocess` frame) and streams its output
 * back as client frames. The agent still serves version 1 clients (it preprocesses for them), so a
 * build across an upgrade keeps working with the agent that was already running.
 */
export const WIRE_VERSION = 3;
export const OLDEST_WIRE_VERSION = 1;
/**
 * magic u32 | version u8 | kind u8 | flags u16 | body length u32, all big-endian. The flags (version 3
 * on; 0 before) are REQUEST_FLAGS'.
 */
export const REQUEST_HEADER_BYTES = 12;
/** compile body: umask u32 | argc u32 | envc u32, then the strings. */
export const COMPILE_BODY_FIXED_BYTES = 12;

export const REQUEST_KIND = {
  compile: 1,
  status: 2,
  stop: 3,
  // Node-only (the sshcc CLI); the C shim sends compile requests alone. Answered with one report frame.
  /** The persistent counters of `sshcc stats`. */
  stats: 4,
  /** Zeroes them (`sshcc stats -z`); answers the zeroed counters. */
  'zero-stats': 5,
  /** The recent finished jobs, for `sshcc trace`. */
  jobs: 6,
  /** The live feed for `sshcc mon`: event frames until either side closes, no final frame. */
  watch: 7,
} as const;
export type RequestKind = keyof typeof REQUEST_KIND;
/** Every request but compile has an empty body. */
export type ControlRequestKind = Exclude<RequestKind, 'compile'>;

/**
 * An agent socket frame's header, `u8 kind | u32 length`, then `length` payload bytes. Not the ssh channel
 * frame's header (@sshcc/protocol's FRAME_HEADER_BYTES, `u32 length | u8 type`): same size, other order.
 */
export const SOCKET_FRAME_HEADER_BYTES = 5;

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
  /** Final (stats, zero-stats and jobs requests). Payload: UTF-8 JSON, the report asked for. */
  report: 7,
  /** Not final (watch requests only): UTF-8 JSON, one message of the live feed. */
  event: 8,
  /**
   * Not final (compile requests of version 2 clients): argv as NUL-terminated strings. The client runs
   * it with its own cwd, environment and umask, stdin from /dev/null, and sends its stdout and stderr
   * back as client frames, then its end. The agent's answer follows. Preprocessing in the client keeps
   * the fork of a compiler out of the agent, whose one thread serves every job (a fork of its ~100 MB
   * costs milliseconds), and charges the preprocessor's CPU to the build's own process, as distcc does.
   */
  preprocess: 9,
} as const;
export type FrameKind = keyof typeof FRAME_KIND;

/**
 * Client frames (client → agent, only between a preprocess frame and the client's end frame), with the
 * same `u8 kind | u32 length` header as answer frames.
 */
export const CLIENT_FRAME_KIND = {
  /** The preprocessor's stdout, in order; may repeat. */
  output: 1,
  /** Its stderr; may repeat. */
  diagnostics: 2,
  /** Payload: u32 exit code (0..255; 127 when it could not be run) | u32 signal number (0: none). */
  end: 3,
  /**
   * Version 3, gcc's directives-only output only, before the end: u32 1 when every line of the output
   * was checked against the file its marker names (the directives put back as the file spells them),
   * 0 when one was not. A run without it was not checked.
   */
  checked: 4,
} as const;
export type ClientFrameKind = keyof typeof CLIENT_FRAME_KIND;
/** The end frame's payload length. */
export const CLIENT_END_BYTES = 8;
/** The checked frame's payload length. */
export const CLIENT_CHECKED_BYTES = 4;

/** A compile request's header flags (version 3 on). */
export const REQUEST_FLAGS = {
  /** The client's stderr is a terminal: gcc left to decide would colour its diagnostics there. */
  stderrIsTerminal: 1,
} as const;

export function isFinalFrame(kind: number): boolean {
  return kind === FRAME_KIND.exec || kind === FRAME_KIND.exit || kind === FRAME_KIND.signal || kind === FRAME_KIND.status || kind === FRAME_KIND.report;
}
