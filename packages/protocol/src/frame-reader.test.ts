import { PassThrough } from 'node:stream';
import { FrameReader, MAX_RESULT_BYTES, encodeFrame } from '@sshcc/protocol';

function header(length: number, code: number): Buffer {
  const bytes = Buffer.alloc(5);
  bytes.writeUInt32BE(length, 0);
  bytes[4] = code;
  return bytes;
}

describe('FrameReader', () => {
  it('reassembles frames delivered one byte at a time', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'client');
    const wire = Buffer.concat([encodeFrame('hello', Buffer.from('{"a":1}')), encodeFrame('data', Buffer.from('xyz'))]);
    for (const byte of wire) input.write(Buffer.from([byte]));
    input.end();
    expect(await reader.next()).toEqual({ type: 'hello', payload: Buffer.from('{"a":1}') });
    expect(await reader.next()).toEqual({ type: 'data', payload: Buffer.from('xyz') });
    expect(await reader.next()).toBeNull();
  });

  it('refuses an oversize length from the header alone, before any body arrives', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'client');
    input.write(header(MAX_RESULT_BYTES + 1, 0x06)); // the stream stays open: no body will ever come
    await expect(reader.next()).rejects.toThrow(`result frame of ${MAX_RESULT_BYTES + 1} bytes exceeds the limit of ${MAX_RESULT_BYTES}`);
    expect(input.isPaused()).toBe(true);
  });

  it('refuses a data frame over its own (smaller) limit', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'server');
    input.write(header(1024 * 1024, 0x03));
    await expect(reader.next()).rejects.toThrow('data frame of 1048576 bytes exceeds the limit of 266240');
  });

  it('refuses an unknown frame type', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'server');
    input.write(Buffer.concat([header(0, 0x7f)]));
    await expect(reader.next()).rejects.toThrow('unknown frame type 0x7f');
  });

  it('refuses a frame type this role never receives', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'server');
    input.write(encodeFrame('result', Buffer.from('{}')));
    await expect(reader.next()).rejects.toThrow('unexpected result frame: a server never receives one');
  });

  it('names text where a frame should be (a chatty shell startup file)', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'client');
    input.write('Welcome to Debian GNU/Linux!\n');
    await expect(reader.next()).rejects.toThrow('expected a frame, got text "Welcome to Debian GNU/Linux!"');
  });

  it('refuses binary garbage', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'client');
    input.write(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x99, 0x42]));
    await expect(reader.next()).rejects.toThrow('unknown frame type 0x99');
  });

  it('reports a stream that ends inside a frame body', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'client');
    input.end(Buffer.concat([header(100, 0x03), Buffer.alloc(5)]));
    await expect(reader.next()).rejects.toThrow('stream ended inside a data frame (10 of 105 bytes)');
  });

  it('reports a stream that ends inside a frame header', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'client');
    input.end(Buffer.from([0, 0, 0]));
    await expect(reader.next()).rejects.toThrow('stream ended inside a frame header (3 of 5 bytes)');
  });

  it('delivers the frames before a violation, then the violation, and keeps failing', async () => {
    const input = new PassThrough();
    const reader = new FrameReader(input, 'client');
    input.write(Buffer.concat([encodeFrame('end', Buffer.from('{}')), header(0, 0x55)]));
    expect((await reader.next())?.type).toBe('end');
    await expect(reader.next()).rejects.toThrow('unknown frame type 0x55');
    await expect(reader.next()).rejects.toThrow('unknown frame type 0x55');
  });
});

describe('encodeFrame', () => {
  it('refuses to send a payload over its type limit', () => {
    expect(() => encodeFrame('cancel', Buffer.alloc(17 * 1024))).toThrow(
      'refusing to send a cancel frame of 17408 bytes (limit 16384)',
    );
  });

  it('writes u32 length, u8 type, payload', () => {
    expect(encodeFrame('end', Buffer.from('ab'))).toEqual(Buffer.from([0, 0, 0, 2, 0x04, 0x61, 0x62]));
  });
});
