// A volunteer that lies (run as sshd's `Subsystem sshcc`, bundled by security-hostile.ts): it speaks the
// protocol correctly up to the answer, then returns outputs crafted to escape the client's target dirs or
// exhaust its memory. Which lie it tells is chosen by the job's output name: `<mode>.o`. Every job it
// answers is appended to $HOSTILE_LOG; absolute paths it names lie in $HOSTILE_CANARY.

import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  ClientHelloSchema,
  DATA_CHUNK_BYTES,
  FrameConnection,
  JobRequestSchema,
  decodeControl,
  loadDataCodec,
  type DataCodec,
  type JobRequest,
  type ResultMessage,
} from '@sshcc/protocol';

const CANARY = process.env.HOSTILE_CANARY ?? '/nonexistent-canary';
const LOG = process.env.HOSTILE_LOG;
const MiB = 1024 * 1024;
/** Bytes that are no object file: a client that wrote them would be caught by the object comparison. */
const NOT_AN_OBJECT = Buffer.from('this is not the object you asked for\n');

interface Entry {
  readonly name: string;
  readonly body?: Buffer;
  /** The size the header declares (defaults to the body's). */
  readonly size?: number;
  /** ustar typeflag: '0' file, '1' hard link, '2' symlink, '5' dir, 'x' pax header. */
  readonly type?: string;
  readonly linkname?: string;
}

/** One ustar header block, every field as given (nothing checked: that is the point). */
function tarHeader(entry: Entry): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, at: number, length: number): void => void block.write(text.slice(0, length), at, length, 'utf8');
  const octal = (value: number, at: number, length: number): void => put(`${value.toString(8).padStart(length - 1, '0')}\0`, at, length);
  put(entry.name, 0, 100);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(entry.size ?? entry.body?.length ?? 0, 124, 12);
  octal(0, 136, 12);
  put(entry.type ?? '0', 156, 1);
  put(entry.linkname ?? '', 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

function pad(body: Buffer): Buffer {
  const rest = body.length % 512;
  return rest === 0 ? body : Buffer.concat([body, Buffer.alloc(512 - rest)]);
}

function tar(entries: readonly Entry[]): Buffer {
  const parts = entries.flatMap((entry) => [tarHeader(entry), pad(entry.body ?? Buffer.alloc(0))]);
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

/** A pax extended header that renames the next entry to `path`. */
function paxPath(path: string): Entry {
  const record = (length: number): string => `${length} path=${path}\n`;
  let length = record(0).length;
  while (record(length).length !== length) length = record(length).length;
  return { name: 'PaxHeader', type: 'x', body: Buffer.from(record(length)) };
}

function result(job: JobRequest): ResultMessage {
  return { id: job.id, kind: 'compiled', exitCode: 0, signal: null, stdout: '', stderr: '', message: '', timings: { receiveMs: 1, compileMs: 1, totalMs: 2 } };
}

async function sendStream(conn: FrameConnection, codec: DataCodec, job: JobRequest, bytes: Buffer, endBytes = bytes.length): Promise<void> {
  await conn.sendControl('result', result(job));
  for (let at = 0; at < bytes.length; at += DATA_CHUNK_BYTES) await conn.send('data', codec.encode(bytes.subarray(at, at + DATA_CHUNK_BYTES)));
  await conn.sendControl('end', { id: job.id, bytes: endBytes });
}

async function answer(conn: FrameConnection, codec: DataCodec, job: JobRequest): Promise<void> {
  const out = job.output;
  const mode = basename(out, '.o');
  switch (mode) {
    case 'slash':
      return sendStream(conn, codec, job, tar([{ name: `obj/${out}`, body: NOT_AN_OBJECT }]));
    case 'dotdot':
      // From the client's obj/ dir this is the canary dir, should a client join names to paths.
      return sendStream(conn, codec, job, tar([{ name: `../../canary/${out}`, body: NOT_AN_OBJECT }]));
    case 'absolute':
      return sendStream(conn, codec, job, tar([{ name: `${CANARY}/${out}`, body: NOT_AN_OBJECT }]));
    case 'pax':
      // The plain name is the requested one; the pax record that follows the spec renames it out.
      return sendStream(conn, codec, job, tar([paxPath(`../../canary/${out}`), { name: out, body: NOT_AN_OBJECT }]));
    case 'symlink':
      return sendStream(conn, codec, job, tar([{ name: out, type: '2', linkname: `${CANARY}/symlink-target` }]));
    case 'hardlink':
      return sendStream(conn, codec, job, tar([{ name: out, type: '1', linkname: '/etc/passwd' }]));
    case 'directory':
      return sendStream(conn, codec, job, tar([{ name: out, type: '5' }]));
    case 'extra':
      return sendStream(conn, codec, job, tar([{ name: out, body: NOT_AN_OBJECT }, { name: 'run-me.sh', body: Buffer.from(`#!/bin/sh\ntouch ${CANARY}/ran\n`) }]));
    case 'twice':
      return sendStream(conn, codec, job, tar([{ name: out, body: NOT_AN_OBJECT }, { name: out, body: NOT_AN_OBJECT }]));
    case 'oversized':
      // A header announcing 300 MiB, a little of the body, then the end of the stream.
      return sendStream(conn, codec, job, Buffer.concat([tarHeader({ name: out, size: 300 * MiB }), Buffer.alloc(4096)]));
    case 'endless': {
      // Zeros without end: the client must stop at its limit, not buffer until it runs out of memory.
      await conn.sendControl('result', result(job));
      await conn.send('data', codec.encode(tarHeader({ name: out, size: MiB })));
      const zeros = codec.encode(Buffer.alloc(DATA_CHUNK_BYTES));
      for (;;) await conn.send('data', zeros);
    }
    case 'bomb': {
      // A zstd frame that declares 1 TiB of content.
      await conn.sendControl('result', result(job));
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(1n << 40n);
      await conn.send('data', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]), size, Buffer.alloc(64)]));
      return conn.sendControl('end', { id: job.id, bytes: 1 << 20 });
    }
    case 'miscounted':
      return sendStream(conn, codec, job, tar([{ name: out, body: NOT_AN_OBJECT }]), 7);
    case 'silent':
      // Takes the job and says nothing more, ever: only the client's own deadline ends the wait.
      return new Promise(() => undefined);
    case 'missing':
      // "Compiled, exit 0" and no object at all.
      return sendStream(conn, codec, job, Buffer.alloc(0));
    default:
      return sendStream(conn, codec, job, tar([{ name: out, body: NOT_AN_OBJECT }]));
  }
}

async function main(): Promise<void> {
  const conn = new FrameConnection({ input: process.stdin, output: process.stdout }, 'server');
  await conn.sendControl('hello', { protocols: [1], server: 'hostile/6.6.6', cpus: 64, load: [0, 0, 0], compilers: ['gcc', 'g++', 'cc', 'c++', 'clang'], compression: ['zstd', 'none'] });
  const hello = decodeControl('hello', ClientHelloSchema, (await conn.expect('hello', 'the handshake')).payload);
  const codec = await loadDataCodec(hello.compression);
  for (let frame = await conn.next(); frame; frame = await conn.next()) {
    if (frame.type !== 'job') continue;
    const job = decodeControl('job', JobRequestSchema, frame.payload);
    // Take the whole source, as an honest server would, before lying about the outputs.
    let part = await conn.next();
    while (part && part.type !== 'end' && part.type !== 'cancel') part = await conn.next();
    if (LOG) appendFileSync(LOG, `${job.output}\n`);
    await answer(conn, codec, job);
  }
}

main().then(
  () => process.exit(0),
  // The client dropping us mid-lie is the expected end of most of them.
  () => process.exit(0),
);
