import { SOCKET_FRAME_HEADER_BYTES, FRAME_KIND, type FrameKind } from './wire-format';
import { MAX_ANSWER_BYTES, MAX_ARGC, MAX_SOCKET_FRAME_BYTES } from './wire-limits';
import type { AgentStatus, CompileAnswer } from './messages';

/**
 * The frames of an answer, ready to write. Throws on an answer a client would refuse (so the agent
 * can log it and answer something sane instead of sending it).
 */
export function encodeAnswer(answer: CompileAnswer): Buffer {
  if (answer.kind === 'exec') {
    const argv = frame('exec', argvPayload(answer.argv));
    return answer.stderr && answer.stderr.length > 0 ? Buffer.concat([...chunked('stderr', answer.stderr), argv]) : argv;
  }
  if (answer.stdout.length + answer.stderr.length > MAX_ANSWER_BYTES) throw new Error('compile output is over the answer size limit');
  const end = Buffer.alloc(4);
  if (answer.signal !== undefined) {
    if (!Number.isInteger(answer.signal) || answer.signal < 1 || answer.signal > 64) throw new Error(`signal ${answer.signal} is out of range`);
    end.writeUInt32BE(answer.signal, 0);
  } else {
    if (!Number.isInteger(answer.exitCode) || answer.exitCode < 0 || answer.exitCode > 255) throw new Error(`exit code ${answer.exitCode} is out of range`);
    end.writeUInt32BE(answer.exitCode, 0);
  }
  return Buffer.concat([
    ...chunked('stdout', answer.stdout),
    ...chunked('stderr', answer.stderr),
    frame(answer.signal !== undefined ? 'signal' : 'exit', end),
  ]);
}

/** Asks a version 2 client to run argv (the preprocessor) and send its output back. */
export function encodePreprocess(argv: readonly string[]): Buffer {
  return frame('preprocess', argvPayload(argv));
}

export function encodeStatus(status: AgentStatus & { readonly stopping?: boolean }): Buffer {
  return frame('status', Buffer.from(JSON.stringify(status), 'utf8'));
}

function argvPayload(argv: readonly string[]): Buffer {
  if (argv.length === 0 || argv.length > MAX_ARGC) throw new Error(`argv has ${argv.length} entries`);
  if (argv.some((arg) => arg.includes('\0'))) throw new Error('argv contains a NUL byte');
  if (argv[0] === '') throw new Error('argv[0] is empty');
  return Buffer.from(argv.map((arg) => `${arg}\0`).join(''), 'utf8');
}

function chunked(kind: FrameKind, data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += MAX_SOCKET_FRAME_BYTES) {
    frames.push(frame(kind, data.subarray(offset, offset + MAX_SOCKET_FRAME_BYTES)));
  }
  return frames;
}

function frame(kind: FrameKind, payload: Buffer): Buffer {
  const header = Buffer.alloc(SOCKET_FRAME_HEADER_BYTES);
  header.writeUInt8(FRAME_KIND[kind], 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}
