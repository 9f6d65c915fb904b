// One cache entry on disk: a fixed header that carries the body's length and SHA-256, then the body.
// A reader checks magic, length and hash before parsing anything, so a truncated file (a crash between
// write and rename cannot leave one, a full disk or another tool can) or a flipped bit is refused
// whole, never half used.
import { createHash } from 'node:crypto';

/** What a compile answered, as kept: only successful compiles are stored (exit code 0). */
export interface CachedResult {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** The main output first, then the extras in the request's order; names as the storing request gave them. */
  readonly outputs: readonly CachedOutput[];
}

export interface CachedOutput {
  readonly name: string;
  readonly data: Buffer;
}

const MAGIC = Buffer.from('sshcc-e1');
const HASH_BYTES = 32;
/** magic | u64 body length | sha256(body) */
export const ENTRY_HEADER_BYTES = MAGIC.length + 8 + HASH_BYTES;

export function encodeEntry(result: CachedResult): Buffer {
  const parts: Buffer[] = [Buffer.of(result.exitCode), sized(result.stdout), sized(result.stderr), u32(result.outputs.length)];
  for (const output of result.outputs) parts.push(sized(Buffer.from(output.name, 'utf8')), sized(output.data));
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(body.length));
  return Buffer.concat([MAGIC, length, createHash('sha256').update(body).digest(), body]);
}

/** The entry in `file`, or why it is unusable (the caller deletes it and counts a corrupt entry). */
export function decodeEntry(file: Buffer): CachedResult | { readonly corrupt: string } {
  if (file.length < ENTRY_HEADER_BYTES) return { corrupt: `${file.length} bytes, shorter than the header` };
  if (!file.subarray(0, MAGIC.length).equals(MAGIC)) return { corrupt: 'not an sshcc cache entry' };
  const declared = file.readBigUInt64BE(MAGIC.length);
  const body = file.subarray(ENTRY_HEADER_BYTES);
  if (declared !== BigInt(body.length)) return { corrupt: `body of ${body.length} bytes, header says ${declared}` };
  const hash = file.subarray(MAGIC.length + 8, ENTRY_HEADER_BYTES);
  if (!createHash('sha256').update(body).digest().equals(hash)) return { corrupt: 'body does not match its hash' };
  try {
    return parseBody(body);
  } catch (err) {
    return { corrupt: (err as Error).message };
  }
}

function parseBody(body: Buffer): CachedResult {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > body.length) throw new Error('body ends inside a field');
  };
  const readU32 = (): number => {
    need(4);
    at += 4;
    return body.readUInt32BE(at - 4);
  };
  const readSized = (): Buffer => {
    const n = readU32();
    need(n);
    at += n;
    return body.subarray(at - n, at);
  };
  need(1);
  const exitCode = body[at++] as number;
  const stdout = readSized();
  const stderr = readSized();
  const count = readU32();
  const outputs: CachedOutput[] = [];
  for (let i = 0; i < count; i++) outputs.push({ name: readSized().toString('utf8'), data: readSized() });
  if (at !== body.length) throw new Error('bytes after the last field');
  return { exitCode, stdout, stderr, outputs };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sized(data: Buffer): Buffer {
  return Buffer.concat([u32(data.length), data]);
}
