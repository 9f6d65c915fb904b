import { encodeCompileRequest, encodeControlRequest, encodeRequestHeader, type CompileRequest } from './compile-request';
import { MAX_REQUEST_BODY_BYTES, MAX_STRING_BYTES } from './wire-limits';
import { RequestReader, type ReadStep } from './read-request';
import { WIRE_VERSION } from './wire-format';

const request: CompileRequest = {
  argv: ['gcc', '-c', 'a b.c', '', '-DNAME="ü"'],
  argv0: '/opt/m/gcc',
  cwd: '/work/proj',
  env: Object.assign(Object.create(null) as Record<string, string>, { PATH: '/usr/bin', EMPTY: '', EQ: 'a=b', ['__proto__']: 'x' }),
  umask: 0o027,
  clientExe: '/opt/sshcc/dist/sshcc',
};

function feed(bytes: Buffer, chunk = bytes.length, end = true): ReadStep {
  const reader = new RequestReader();
  let step: ReadStep = { state: 'more' };
  for (let offset = 0; offset < bytes.length && step.state === 'more'; offset += chunk) {
    step = reader.push(bytes.subarray(offset, offset + chunk));
  }
  return step.state === 'more' && end ? reader.end() : step;
}

/** A compile request with a hand-made body. */
function withBody(body: Buffer): Buffer {
  return Buffer.concat([encodeRequestHeader('compile', body.length), body]);
}

function body(umask: number, argc: number, envc: number, strings: string): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32BE(umask, 0);
  fixed.writeUInt32BE(argc, 4);
  fixed.writeUInt32BE(envc, 8);
  return Buffer.concat([fixed, Buffer.from(strings, 'utf8')]);
}

describe('RequestReader', () => {
  it.each([1, 5, 13, 4096])('round-trips a compile request fed in %i-byte chunks', (chunk) => {
    const step = feed(encodeCompileRequest(request), chunk);
    expect(step).toEqual({ state: 'done', request: { kind: 'compile', request, version: WIRE_VERSION } });
    if (step.state !== 'done' || step.request.kind !== 'compile') throw new Error('not a compile request');
    expect(Object.getPrototypeOf(step.request.request.env)).toBeNull();
    expect(step.request.request.env['__proto__']).toBe('x'); // any name is just a key
  });

  it('still reads a version 1 compile request (a client from before the agent was upgraded)', () => {
    const bytes = encodeCompileRequest(request);
    bytes.writeUInt8(1, 4);
    expect(feed(bytes)).toEqual({ state: 'done', request: { kind: 'compile', request, version: 1 } });
  });

  it('reads every request without a body', () => {
    expect(feed(encodeControlRequest('status'))).toEqual({ state: 'done', request: { kind: 'status' } });
    expect(feed(encodeControlRequest('stop'))).toEqual({ state: 'done', request: { kind: 'stop' } });
    for (const kind of ['stats', 'zero-stats', 'jobs', 'watch'] as const) {
      expect(feed(encodeControlRequest(kind))).toEqual({ state: 'done', request: { kind } });
    }
  });

  it("carries the client's word that its stderr is a terminal", () => {
    const step = feed(encodeCompileRequest({ ...request, stderrIsTerminal: true }), 7);
    expect(step).toEqual({ state: 'done', request: { kind: 'compile', request: { ...request, stderrIsTerminal: true }, version: WIRE_VERSION } });
  });

  it('keeps the first of duplicate environment entries, as getenv does', () => {
    const step = feed(withBody(body(0, 1, 2, '\0/\0\0cc\0A=1\0A=2\0')));
    expect(step.state === 'done' && step.request.kind === 'compile' && step.request.request.env.A).toBe('1');
  });

  const header = (mutate: (b: Buffer) => void) => {
    const b = encodeRequestHeader('compile', 0);
    mutate(b);
    return b;
  };

  it('says a well-formed header of a later version is from a newer client, whatever follows', () => {
    expect(feed(header((b) => b.writeUInt8(WIRE_VERSION + 1, 4)))).toEqual({ state: 'newer', version: WIRE_VERSION + 1 });
    expect(feed(Buffer.concat([header((b) => b.writeUInt8(255, 4)), Buffer.from('anything')]))).toEqual({ state: 'newer', version: 255 });
  });

  it.each([
    ['a bad magic', header((b) => b.write('XXXX', 0)), 'bad magic'],
    ['version 0', header((b) => b.writeUInt8(0, 4)), 'unsupported version 0'],
    ['an unknown kind', header((b) => b.writeUInt8(9, 5)), 'unknown request kind 9'],
    ['header flags from a version 2 client', header((b) => (b.writeUInt8(2, 4), b.writeUInt16BE(1, 6))), 'reserved header bytes are not zero'],
    ['an unknown header flag', header((b) => b.writeUInt16BE(2, 6)), 'unknown header flags 2'],
    ['a flag on a status request', (() => { const b = encodeControlRequest('status'); b.writeUInt16BE(1, 6); return b; })(), 'unknown header flags 1'],
    ['an oversize body, refused from the header alone', header((b) => b.writeUInt32BE(MAX_REQUEST_BODY_BYTES + 1, 8)), `body of ${MAX_REQUEST_BODY_BYTES + 1} bytes is over the limit`],
    ['a watch request with a body', Buffer.concat([encodeRequestHeader('watch', 1), Buffer.from([0])]), 'a watch request has a body'],
    ['a status request with a body', Buffer.concat([encodeRequestHeader('status', 1), Buffer.from([0])]), 'a status request has a body'],
    ['bytes after the request', Buffer.concat([encodeControlRequest('status'), Buffer.from([0])]), 'bytes after the request'],
    ['a truncated header', encodeControlRequest('status').subarray(0, 5), 'request truncated after 5 bytes'],
    ['a truncated body', encodeCompileRequest(request).subarray(0, 40), 'request truncated after 40 bytes'],
    ['garbage', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'bad magic'],
    ['a body shorter than its fixed part', withBody(Buffer.alloc(5)), 'compile body shorter than its fixed part'],
    ['argc 0', withBody(body(0, 0, 0, '\0/\0\0')), 'argc 0 is out of range'],
    ['a huge argc', withBody(body(0, 0xffffffff, 0, '')), `argc ${0xffffffff} is out of range`],
    ['a huge envc', withBody(body(0, 1, 0xffffffff, '')), `envc ${0xffffffff} is out of range`],
    ['a umask over 0777', withBody(body(0o1000, 1, 0, '\0/\0\0cc\0')), 'umask 512 is out of range'],
    ['fewer strings than counted', withBody(body(0, 2, 0, '\0/\0\0cc\0')), 'expected 5 strings, found 4'],
    ['a string without its NUL', withBody(body(0, 1, 0, '\0/\0\0cc')), 'expected 4 strings, found 3'],
    ['bytes after the last string', withBody(body(0, 1, 0, '\0/\0\0cc\0x')), 'bytes after the last string'],
    ['a relative cwd', withBody(body(0, 1, 0, '\0rel\0\0cc\0')), 'cwd is not absolute'],
    ['a relative client exe', withBody(body(0, 1, 0, '\0/\0sshcc\0cc\0')), 'client exe is not absolute'],
    ['an empty compiler', withBody(body(0, 1, 0, '\0/\0\0\0')), 'the compiler name is empty'],
    ['an environment entry without =', withBody(body(0, 1, 1, '\0/\0\0cc\0PATH\0')), 'an environment entry has no name'],
    ['an environment entry with an empty name', withBody(body(0, 1, 1, '\0/\0\0cc\0=x\0')), 'an environment entry has no name'],
    ['invalid UTF-8', withBody(Buffer.concat([body(0, 1, 0, '\0/\0\0'), Buffer.from([0x67, 0xff, 0x63, 0])])), 'a string is not UTF-8'],
    ['an over-long string', withBody(body(0, 1, 0, `\0/\0\0${'x'.repeat(MAX_STRING_BYTES + 1)}\0`)), `a string of ${MAX_STRING_BYTES + 1} bytes is over the limit`],
  ])('refuses %s', (_name, bytes, why) => {
    expect(feed(bytes)).toEqual({ state: 'bad', why });
  });

  it('says nothing is wrong with a bare connect-and-close', () => {
    expect(feed(Buffer.alloc(0))).toEqual({ state: 'bad', why: 'connection closed before a request' });
  });
});
