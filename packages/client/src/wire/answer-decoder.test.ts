import { encodeAnswer, encodeStatus } from './encode-answer';
import { AnswerDecoder, type DecodeStep } from './answer-decoder';
import { FRAME_KIND } from './wire-format';
import { MAX_SOCKET_FRAME_BYTES } from './wire-limits';

function feed(bytes: Buffer, chunk = bytes.length): DecodeStep {
  const decoder = new AnswerDecoder();
  let step: DecodeStep = { state: 'more' };
  for (let offset = 0; offset < bytes.length && step.state === 'more'; offset += chunk) {
    step = decoder.push(bytes.subarray(offset, offset + chunk));
  }
  return step.state === 'more' ? decoder.end() : step;
}

function frame(kind: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(kind, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

const u32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value, 0);
  return b;
};

describe('answer frames: encodeAnswer → AnswerDecoder', () => {
  const stdout = Buffer.from([0, 1, 2, 0xff, 0xfe, 10]);
  const stderr = Buffer.from('a.c:1:1: error: nope\n');

  it.each([1, 2, 7, 1000])('round-trips a result fed in %i-byte chunks', (chunk) => {
    const step = feed(encodeAnswer({ kind: 'result', exitCode: 3, stdout, stderr }), chunk);
    expect(step).toEqual({ state: 'done', answer: { kind: 'exit', code: 3, stdout, stderr } });
  });

  it('round-trips an exec argv, empty strings and non-ASCII included', () => {
    const argv = ['/usr/bin/gcc', '-c', '', 'ünï.c', '-DX=a b'];
    expect(feed(encodeAnswer({ kind: 'exec', argv }), 3)).toEqual({ state: 'done', answer: { kind: 'exec', argv, stderr: Buffer.alloc(0) } });
  });

  it('carries a note to print before the exec', () => {
    const stderr = Buffer.from('sshcc: a.o: compiled locally: -E\n');
    expect(feed(encodeAnswer({ kind: 'exec', argv: ['/usr/bin/gcc'], stderr }), 4)).toEqual({ state: 'done', answer: { kind: 'exec', argv: ['/usr/bin/gcc'], stderr } });
  });

  it('round-trips a death by signal', () => {
    const step = feed(encodeAnswer({ kind: 'result', exitCode: 0, signal: 9, stdout: Buffer.alloc(0), stderr }));
    expect(step).toEqual({ state: 'done', answer: { kind: 'signal', signal: 9, stdout: Buffer.alloc(0), stderr } });
  });

  it('concatenates repeated stdout and stderr frames', () => {
    const bytes = Buffer.concat([
      frame(FRAME_KIND.stderr, Buffer.from('one ')),
      frame(FRAME_KIND.stdout, Buffer.from('x')),
      frame(FRAME_KIND.stderr, Buffer.from('two')),
      frame(FRAME_KIND.exit, u32(0)),
    ]);
    expect(feed(bytes)).toEqual({ state: 'done', answer: { kind: 'exit', code: 0, stdout: Buffer.from('x'), stderr: Buffer.from('one two') } });
  });

  it('decodes a status answer', () => {
    const status = { pid: 1, socket: '/s', dir: '/', startedAt: 'now', uptimeMs: 1, jobsServed: 2, jobsActive: 0, connections: 1, idleTimeoutMs: 0 };
    expect(feed(encodeStatus(status))).toEqual({ state: 'done', answer: { kind: 'status', json: JSON.stringify(status) } });
  });

  it.each([
    ['an oversize frame, refused from its header alone', Buffer.from([FRAME_KIND.stdout, 0xff, 0xff, 0xff, 0xff]), `frame of ${0xffffffff} bytes is over the limit`],
    ['an unknown kind', frame(10, Buffer.alloc(0)), 'unknown frame kind 10'],
    ['an exit frame of the wrong size', frame(FRAME_KIND.exit, Buffer.alloc(3)), 'exit frame is not 4 bytes'],
    ['an exit code over 255', frame(FRAME_KIND.exit, u32(256)), 'exit code 256 is out of range'],
    ['signal 0', frame(FRAME_KIND.signal, u32(0)), 'signal 0 is out of range'],
    ['an exec argv without its NUL', frame(FRAME_KIND.exec, Buffer.from('gcc')), 'argv is not NUL-terminated'],
    ['an empty exec argv[0]', frame(FRAME_KIND.exec, Buffer.from('\0-c\0')), 'argv is empty or too long'],
    ['bytes after the final frame', Buffer.concat([frame(FRAME_KIND.exit, u32(0)), Buffer.from([1])]), 'bytes after the final frame'],
    ['a truncated frame', frame(FRAME_KIND.exit, u32(0)).subarray(0, 7), 'the agent closed the connection without an answer'],
    ['no final frame', frame(FRAME_KIND.stdout, Buffer.from('x')), 'the agent closed the connection without an answer'],
    ['nothing at all', Buffer.alloc(0), 'the agent closed the connection without an answer'],
  ])('refuses %s', (_name, bytes, why) => {
    expect(feed(bytes)).toEqual({ state: 'bad', why });
  });

  it('splits output larger than one frame, and the decoder joins it', () => {
    const big = Buffer.alloc(MAX_SOCKET_FRAME_BYTES + 10, 7);
    const encoded = encodeAnswer({ kind: 'result', exitCode: 0, stdout: big, stderr: Buffer.alloc(0) });
    const step = feed(encoded);
    expect(step.state).toBe('done');
    if (step.state === 'done' && step.answer.kind === 'exit') expect(step.answer.stdout.equals(big)).toBe(true);
  });
});

describe('encodeAnswer refuses what a client would refuse', () => {
  it.each([
    [{ kind: 'exec', argv: [] }, 'argv has 0 entries'],
    [{ kind: 'exec', argv: ['gcc\0x'] }, 'argv contains a NUL byte'],
    [{ kind: 'exec', argv: [''] }, 'argv[0] is empty'],
    [{ kind: 'result', exitCode: 256, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }, 'exit code 256 is out of range'],
    [{ kind: 'result', exitCode: -1, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }, 'exit code -1 is out of range'],
    [{ kind: 'result', exitCode: 0, signal: 65, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }, 'signal 65 is out of range'],
  ] as const)('%j', (answer, message) => {
    expect(() => encodeAnswer(answer)).toThrow(message);
  });
});
