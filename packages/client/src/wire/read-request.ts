import { OLDEST_WIRE_VERSION, REQUEST_FLAGS, REQUEST_HEADER_BYTES, REQUEST_KIND, REQUEST_MAGIC, WIRE_VERSION, type ControlRequestKind } from './wire-format';
import { MAX_REQUEST_BODY_BYTES } from './wire-limits';
import { parseCompileBody } from './parse-compile-body';
import type { CompileRequest } from './messages';

export type AgentRequest =
  /**
   * `version`: the client's wire version; from 2 on it runs the preprocessor when asked, from 3 on it may
   * say its directives-only output was checked against the source files (see CLIENT_FRAME_KIND.checked).
   */
  | { readonly kind: 'compile'; readonly request: CompileRequest; readonly version: number }
  | { readonly kind: ControlRequestKind };

/** Request kinds with an empty body, by number. */
const CONTROL_KINDS = new Map<number, ControlRequestKind>(
  (Object.entries(REQUEST_KIND) as [keyof typeof REQUEST_KIND, number][]).flatMap(([name, kind]) => (name === 'compile' ? [] : [[kind, name]])),
);

export type ReadStep =
  | { readonly state: 'more' }
  | { readonly state: 'done'; readonly request: AgentRequest }
  | { readonly state: 'bad'; readonly why: string }
  /** A well-formed header of a wire version past WIRE_VERSION: a client newer than this agent. */
  | { readonly state: 'newer'; readonly version: number };

const MORE: ReadStep = { state: 'more' };

/**
 * Collects one request from a connection. In OpenSSH's order: the header must be complete and valid
 * (magic, version, kind, reserved, a length within the limit) before any body byte is kept, and the
 * body is parsed only when it is exactly all there.
 */
export class RequestReader {
  private chunks: Buffer[] = [];
  private received = 0;
  private expected: { kind: number; version: number; flags: number; total: number } | undefined;
  private finished = false;

  push(chunk: Buffer): ReadStep {
    if (this.finished) return this.bad('bytes after the request');
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.expected === undefined) {
      if (this.received < REQUEST_HEADER_BYTES) return MORE;
      const header = this.take();
      const newer = newerVersion(header);
      if (newer !== null) {
        this.finished = true;
        this.chunks = [];
        return { state: 'newer', version: newer };
      }
      const checked = checkHeader(header);
      if (typeof checked === 'string') return this.bad(checked);
      this.expected = checked;
    }
    if (this.received < this.expected.total) return MORE;
    if (this.received > this.expected.total) return this.bad('bytes after the request');
    const body = this.take().subarray(REQUEST_HEADER_BYTES);
    this.finished = true;
    const control = CONTROL_KINDS.get(this.expected.kind);
    if (control !== undefined) return { state: 'done', request: { kind: control } };
    const parsed = parseCompileBody(body);
    if (typeof parsed === 'string') return this.bad(parsed);
    const request = (this.expected.flags & REQUEST_FLAGS.stderrIsTerminal) !== 0 ? { ...parsed, stderrIsTerminal: true } : parsed;
    return { state: 'done', request: { kind: 'compile', request, version: this.expected.version } };
  }

  /** The client stopped sending: fine only once a whole request arrived. */
  end(): ReadStep {
    if (this.finished) return MORE;
    return this.bad(this.received === 0 ? 'connection closed before a request' : `request truncated after ${this.received} bytes`);
  }

  private take(): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private bad(why: string): ReadStep {
    this.finished = true;
    this.chunks = [];
    return { state: 'bad', why };
  }
}

const KNOWN_FLAGS = Object.values(REQUEST_FLAGS).reduce((all, flag) => all | flag, 0);

/** The header's version where it is past ours and the magic is right (not just any garbage). */
function newerVersion(header: Buffer): number | null {
  const version = header.readUInt8(4);
  return header.readUInt32BE(0) === REQUEST_MAGIC && version > WIRE_VERSION ? version : null;
}

function checkHeader(header: Buffer): { kind: number; version: number; flags: number; total: number } | string {
  if (header.readUInt32BE(0) !== REQUEST_MAGIC) return 'bad magic';
  const version = header.readUInt8(4);
  if (version < OLDEST_WIRE_VERSION || version > WIRE_VERSION) return `unsupported version ${version}`;
  const kind = header.readUInt8(5);
  if (!(Object.values(REQUEST_KIND) as number[]).includes(kind)) return `unknown request kind ${kind}`;
  const flags = header.readUInt16BE(6);
  if (version < 3 && flags !== 0) return 'reserved header bytes are not zero';
  if ((flags & ~KNOWN_FLAGS) !== 0 || (flags !== 0 && kind !== REQUEST_KIND.compile)) return `unknown header flags ${flags}`;
  const length = header.readUInt32BE(8);
  if (length > MAX_REQUEST_BODY_BYTES) return `body of ${length} bytes is over the limit`;
  if (kind !== REQUEST_KIND.compile && length !== 0) return `a ${CONTROL_KINDS.get(kind) ?? kind} request has a body`;
  return { kind, version, flags, total: REQUEST_HEADER_BYTES + length };
}
