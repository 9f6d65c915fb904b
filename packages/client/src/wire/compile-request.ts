import { COMPILE_BODY_FIXED_BYTES, REQUEST_FLAGS, REQUEST_HEADER_BYTES, REQUEST_KIND, REQUEST_MAGIC, WIRE_VERSION, type ControlRequestKind, type RequestKind } from './wire-format';

/** What a client sends for one compile: everything the agent needs to act as if it were the client. */
export interface CompileRequest {
  /** The compiler command line: argv[0] is the compiler as the build gave it ("gcc", "/usr/bin/cc"). */
  readonly argv: readonly string[];
  /** How the client itself was invoked: "sshcc", or "gcc" when reached through a masquerade link. */
  readonly argv0: string;
  /** The client's working directory (absolute). */
  readonly cwd: string;
  /** The client's environment (a null-prototype record: any variable name is just a key). */
  readonly env: Readonly<Record<string, string>>;
  /** The client's umask: outputs are created as the compiler run by the client would create them. */
  readonly umask: number;
  /** Real path of the client executable (the shim or its launcher): never to be picked as "the compiler". */
  readonly clientExe: string;
  /** The client's stderr is a terminal (absent: it is not, or an older client did not say). */
  readonly stderrIsTerminal?: boolean;
}

/** Header of every request; `bodyBytes` follow it. */
export function encodeRequestHeader(kind: RequestKind, bodyBytes: number, flags = 0): Buffer {
  const header = Buffer.alloc(REQUEST_HEADER_BYTES);
  header.writeUInt32BE(REQUEST_MAGIC, 0);
  header.writeUInt8(WIRE_VERSION, 4);
  header.writeUInt8(REQUEST_KIND[kind], 5);
  header.writeUInt16BE(flags, 6);
  header.writeUInt32BE(bodyBytes, 8);
  return header;
}

/** A whole compile request: header, `umask | argc | envc`, then argv0, cwd, exe, argv..., env... each NUL-terminated. */
export function encodeCompileRequest(request: CompileRequest): Buffer {
  const envEntries = Object.entries(request.env);
  const strings = [
    request.argv0,
    request.cwd,
    request.clientExe,
    ...request.argv,
    ...envEntries.map(([name, value]) => `${name}=${value}`),
  ];
  const parts = strings.map((s) => Buffer.from(`${s}\0`, 'utf8'));
  const fixed = Buffer.alloc(COMPILE_BODY_FIXED_BYTES);
  fixed.writeUInt32BE(request.umask, 0);
  fixed.writeUInt32BE(request.argv.length, 4);
  fixed.writeUInt32BE(envEntries.length, 8);
  const bodyBytes = fixed.length + parts.reduce((sum, part) => sum + part.length, 0);
  const flags = request.stderrIsTerminal === true ? REQUEST_FLAGS.stderrIsTerminal : 0;
  return Buffer.concat([encodeRequestHeader('compile', bodyBytes, flags), fixed, ...parts]);
}

/** Any request but compile: a header with an empty body. */
export function encodeControlRequest(kind: ControlRequestKind): Buffer {
  return encodeRequestHeader(kind, 0);
}
