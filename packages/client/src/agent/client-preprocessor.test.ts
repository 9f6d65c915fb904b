import { FRAME_KIND, CLIENT_FRAME_KIND } from '../wire/wire-format';
import { ClientPreprocessor } from './client-preprocessor';

function frame(kind: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(kind, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

function end(exitCode: number, signal = 0): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(exitCode, 0);
  payload.writeUInt32BE(signal, 4);
  return frame(CLIENT_FRAME_KIND.end, payload);
}

const out = (text: string) => frame(CLIENT_FRAME_KIND.output, Buffer.from(text));
const err = (text: string) => frame(CLIENT_FRAME_KIND.diagnostics, Buffer.from(text));

function started(maxOutputBytes = 1000) {
  const sent: Buffer[] = [];
  const receiver = new ClientPreprocessor((bytes) => sent.push(bytes));
  const controller = new AbortController();
  const run = receiver.preprocess(['/usr/bin/gcc', '-E', 'a.c'], { maxOutputBytes, signal: controller.signal });
  return { receiver, run, sent, controller };
}

describe('ClientPreprocessor', () => {
  it('asks with one preprocess frame and collects output and diagnostics in order, in any chunking', async () => {
    const bytes = Buffer.concat([out('int a;\n'), err('warn\n'), out('int b;\n'), end(0)]);
    for (const size of [1, 3, 7, bytes.length]) {
      const { receiver, run, sent } = started();
      expect(sent).toEqual([frame(FRAME_KIND.preprocess, Buffer.from('/usr/bin/gcc\0-E\0a.c\0'))]);
      for (let offset = 0; offset < bytes.length; offset += size) expect(receiver.push(bytes.subarray(offset, offset + size))).toBeNull();
      await expect(run).resolves.toEqual({ exitCode: 0, signal: null, stdout: Buffer.from('int a;\nint b;\n'), stderr: Buffer.from('warn\n') });
    }
  });

  it('reports an exit code and a death by signal', async () => {
    const failed = started();
    failed.receiver.push(end(1));
    await expect(failed.run).resolves.toMatchObject({ exitCode: 1, signal: null });
    const killed = started();
    killed.receiver.push(end(0, 9));
    await expect(killed.run).resolves.toMatchObject({ exitCode: null, signal: 9 });
  });

  it('ends a run past its limit at once, as failed, from the frame header alone, and drops the rest until the end', async () => {
    const { receiver, run } = started(10);
    expect(receiver.push(out('12345'))).toBeNull();
    expect(receiver.push(Buffer.from([CLIENT_FRAME_KIND.output, 0, 0, 0, 6]))).toBeNull();
    await expect(run).resolves.toEqual({ exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
    expect(receiver.push(Buffer.concat([Buffer.from('678901'), out('more'), end(0)]))).toBeNull();
  });

  it('rejects when the job is aborted', async () => {
    const { run, controller } = started();
    controller.abort(new Error('client gone'));
    await expect(run).rejects.toThrow('client gone');
  });

  it('refuses frames before any preprocess request', () => {
    expect(new ClientPreprocessor(() => undefined).push(out('x'))).toBe('client frames without a preprocess request');
  });

  it.each([
    ['an unknown kind', frame(7, Buffer.alloc(0)), 'unknown client frame kind 7'],
    ['an oversize frame, from its header alone', Buffer.from([1, 0xff, 0xff, 0xff, 0xff]), `client frame of ${0xffffffff} bytes is over the limit`],
    ['an end frame of the wrong size', frame(CLIENT_FRAME_KIND.end, Buffer.alloc(4)), 'end frame of 4 bytes'],
    ['an exit code over 255', end(256), 'end frame with exit 256, signal 0'],
  ])('refuses %s', (_name, bytes, why) => {
    expect(started().receiver.push(bytes)).toBe(why);
  });
});
