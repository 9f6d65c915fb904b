import { GrowingOutput, PreprocessorFailed } from './growing-output';

const bytes = (text: string): Buffer => Buffer.from(text);

/** Reads a whole stream of chunks, or the error that ended it. */
async function readAll(output: GrowingOutput): Promise<string | Error> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of output.read()) parts.push(chunk);
    return Buffer.concat(parts).toString();
  } catch (err) {
    return err as Error;
  }
}

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GrowingOutput', () => {
  it('gives a reader what is in, then what comes, until a whole end', async () => {
    const output = new GrowingOutput();
    output.push(bytes('ab'));
    const reading = readAll(output);
    output.push(bytes('cd'));
    await settle();
    output.push(bytes('e'));
    output.end(true);
    await expect(reading).resolves.toBe('abcde');
    expect(output.size).toBe(5);
  });

  it('replays from the first byte for every reader (a job sent again to another volunteer)', async () => {
    const output = new GrowingOutput();
    const first = readAll(output);
    output.push(bytes('one'));
    await settle();
    const second = readAll(output);
    output.push(bytes('two'));
    output.end(true);
    await expect(first).resolves.toBe('onetwo');
    await expect(second).resolves.toBe('onetwo');
    await expect(readAll(output)).resolves.toBe('onetwo');
  });

  it('ends a waiting reader with PreprocessorFailed when the run fails, after what was in', async () => {
    const output = new GrowingOutput();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of output.read()) seen.push(chunk.toString());
    })();
    output.push(bytes('partial'));
    await settle();
    output.end(false);
    await expect(reading).rejects.toBeInstanceOf(PreprocessorFailed);
    expect(seen).toEqual(['partial']);
  });

  it.each([
    ['the first end wins over a later failure', [true, false], 'abc'],
    ['the first failure wins over a later whole end', [false, true], null],
  ] as const)('%s', async (_name, ends, expected) => {
    const output = new GrowingOutput();
    output.push(bytes('abc'));
    for (const whole of ends) output.end(whole);
    const read = await readAll(output);
    if (expected === null) expect(read).toBeInstanceOf(PreprocessorFailed);
    else expect(read).toBe(expected);
  });

  it('ignores pieces after the end, and empty pieces', async () => {
    const output = new GrowingOutput();
    output.push(Buffer.alloc(0));
    output.push(bytes('x'));
    output.end(true);
    output.push(bytes('late'));
    await expect(readAll(output)).resolves.toBe('x');
    expect(output.size).toBe(1);
  });

  describe('pastWhileRunning', () => {
    it('is true once more than the threshold is in while the run goes on', async () => {
      const output = new GrowingOutput();
      const past = output.pastWhileRunning(4);
      output.push(bytes('abcd'));
      await settle();
      let answered = false;
      void past.then(() => (answered = true));
      await settle();
      expect(answered).toBe(false);
      output.push(bytes('e'));
      await expect(past).resolves.toBe(true);
    });

    it.each([
      ['a whole end', true],
      ['a failure', false],
    ])('is false when the run ends first, with %s', async (_name, whole) => {
      const output = new GrowingOutput();
      const past = output.pastWhileRunning(4);
      output.push(bytes('abc'));
      output.end(whole);
      await expect(past).resolves.toBe(false);
    });

    it('is false for an output that ended past the threshold (it is whole, nothing to stream)', async () => {
      const output = new GrowingOutput();
      output.push(bytes('abcdefgh'));
      output.end(true);
      await expect(output.pastWhileRunning(4)).resolves.toBe(false);
    });
  });
});
