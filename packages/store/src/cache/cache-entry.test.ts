import { decodeEntry, encodeEntry, ENTRY_HEADER_BYTES, type CachedResult } from './cache-entry';

const RESULT: CachedResult = {
  exitCode: 0,
  stdout: Buffer.from(''),
  stderr: Buffer.from([0x77, 0xe9, 0x0a]),
  outputs: [
    { name: 'foo.o', data: Buffer.from('\x7fELF object') },
    { name: 'foo.dwo', data: Buffer.alloc(0) },
  ],
};

describe('cache entries', () => {
  it('round-trip byte for byte', () => {
    expect(decodeEntry(encodeEntry(RESULT))).toEqual(RESULT);
  });

  it.each([
    ['an empty file', () => Buffer.alloc(0), '0 bytes, shorter than the header'],
    ['a file cut inside the header', (e: Buffer) => e.subarray(0, 20), '20 bytes, shorter than the header'],
    ['a truncated body', (e: Buffer) => e.subarray(0, e.length - 1), `body of ${encodeEntry(RESULT).length - ENTRY_HEADER_BYTES - 1} bytes, header says ${encodeEntry(RESULT).length - ENTRY_HEADER_BYTES}`],
    ['a padded body', (e: Buffer) => Buffer.concat([e, Buffer.of(0)]), `body of ${encodeEntry(RESULT).length - ENTRY_HEADER_BYTES + 1} bytes, header says ${encodeEntry(RESULT).length - ENTRY_HEADER_BYTES}`],
    ['a flipped bit in the object', (e: Buffer) => flip(e, e.length - 20), 'body does not match its hash'],
    ['a flipped bit in the hash', (e: Buffer) => flip(e, 20), 'body does not match its hash'],
    ['another file', () => Buffer.alloc(100, 0x41), 'not an sshcc cache entry'],
  ])('refuse %s', (_what, damage, why) => {
    expect(decodeEntry(damage(encodeEntry(RESULT)))).toEqual({ corrupt: why });
  });
});

function flip(data: Buffer, at: number): Buffer {
  const copy = Buffer.from(data);
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
}
