import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FrameReader,
  MAX_JOB_SOURCE_BYTES,
  clientHandshake,
  encodeFrame,
  memoryChannel,
  serveJobs,
  type ClientOptions,
  type IncomingJob,
  type JobHandler,
  type JobReply,
  type ServerOffer,
} from '@sshcc/protocol';
import { testJobRequest, testResultMessage } from './test-job';

const OFFER: ServerOffer = { server: 'test/1', cpus: 2, load: [0.5, 0.4, 0.3], compilers: ['gcc', 'g++'] };
const { id: _id, ...JOB } = testJobRequest();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-session-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(source: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A handler that "compiles" by writing the sha256 of the source as the object. */
const hashingHandler: JobHandler = async (job) => {
  const source = await readAll(job.source);
  const object = join(dir, `job-${job.request.id}.o`);
  writeFileSync(object, createHash('sha256').update(source).digest());
  return {
    kind: 'compiled',
    exitCode: 0,
    stdout: Buffer.from('out'),
    stderr: Buffer.from([0xe9, 0x0a]), // latin-1 "é": bytes must survive untouched
    outputs: [{ name: job.request.output, path: object, size: 32 }],
  };
};

function start(handler: JobHandler, options: { offer?: ServerOffer; client?: ClientOptions; signal?: AbortSignal } = {}) {
  const pair = memoryChannel();
  const serving = serveJobs(pair.server, { offer: options.offer ?? OFFER, handler, signal: options.signal });
  serving.catch(() => undefined);
  const session = clientHandshake(pair.client, options.client);
  return { pair, serving, session };
}

describe('client and server sessions', () => {
  it('agree on the newest version and zstd, and run a job end to end', async () => {
    const before = Date.now();
    const { session, serving } = start(hashingHandler);
    const client = await session;
    expect(client.protocol).toBe(1);
    expect(client.compression).toBe('zstd');
    expect(client.hello).toMatchObject({ protocols: [1], server: 'test/1', cpus: 2, compilers: ['gcc', 'g++'] });
    // The server's clock as it wrote the hello (sshcc doctor's clock skew).
    expect(client.hello.time).toBeGreaterThanOrEqual(before);
    expect(client.hello.time).toBeLessThanOrEqual(Date.now());
    const source = Buffer.from('int x;\n'.repeat(100000));
    const result = await client.runJob({ ...JOB, sourceBytes: source.length }, source);
    expect(result).toMatchObject({ id: 1, kind: 'compiled', exitCode: 0, signal: null, message: '' });
    expect(result.stdout.toString()).toBe('out');
    expect(result.stderr).toEqual(Buffer.from([0xe9, 0x0a]));
    expect(result.outputs.get('hello.o')).toEqual(createHash('sha256').update(source).digest());
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.receiveMs);
    await client.close();
    await serving;
  });

  it('sends a small job in one write each way: request, source and end up; result, outputs and end down but the end', async () => {
    const { pair, session, serving } = start(hashingHandler);
    const client = await session;
    const writes = { up: 0, down: 0 };
    const count = (stream: NodeJS.WritableStream, side: 'up' | 'down') => {
      const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      stream.write = ((...args: unknown[]) => {
        writes[side]++;
        return write(...args);
      }) as typeof stream.write;
    };
    count(pair.client.output, 'up');
    count(pair.server.output, 'down');
    const source = Buffer.from('int x;\n'.repeat(1000));
    const result = await client.runJob(JOB, source);
    expect(result.outputs.get('hello.o')).toEqual(createHash('sha256').update(source).digest());
    // Down, the end waits for the job dir to go, so it is a write of its own.
    expect(writes).toEqual({ up: 1, down: 2 });
    await client.close();
    await serving;
  });

  it('streams a source as it is produced', async () => {
    const { session, serving } = start(hashingHandler);
    const client = await session;
    async function* slowCpp() {
      for (let i = 0; i < 20; i++) {
        await sleep(1);
        yield Buffer.from(`line ${i}\n`.repeat(5000));
      }
    }
    const expected = Buffer.concat(Array.from({ length: 20 }, (_, i) => Buffer.from(`line ${i}\n`.repeat(5000))));
    const result = await client.runJob(JOB, Readable.from(slowCpp()));
    expect(result.outputs.get('hello.o')).toEqual(createHash('sha256').update(expected).digest());
    await client.close();
    await serving;
  });

  it('sends raw bytes when compression is off', async () => {
    const { pair, session, serving } = start(hashingHandler, { client: { compression: 'none' } });
    const wire: Buffer[] = [];
    pair.client.output.on('data', (chunk: Buffer) => wire.push(chunk));
    const client = await session;
    expect(client.compression).toBe('none');
    const source = Buffer.from('a recognisable line of source\n'.repeat(10));
    const result = await client.runJob(JOB, source);
    expect(result.kind).toBe('compiled');
    expect(Buffer.concat(wire).includes(source)).toBe(true);
    await client.close();
    await serving;
  });

  it('sends stored zstd frames both ways at level 0, and compressed ones at the level asked', async () => {
    const { pair, session, serving } = start(hashingHandler);
    const up: Buffer[] = [];
    pair.client.output.on('data', (chunk: Buffer) => up.push(chunk));
    const client = await session;
    const source = Buffer.from('a recognisable line of source\n'.repeat(1000));
    const stored = await client.runJob(JOB, source, { level: 0 });
    expect(stored.outputs.get('hello.o')).toEqual(createHash('sha256').update(source).digest());
    expect(Buffer.concat(up).includes(source)).toBe(true);
    // The outputs came back stored too: 32 bytes of hash in a tar of at least 1 KiB, sent as they are.
    expect(stored.transfer.receivedWireBytes).toBeGreaterThan(stored.transfer.receivedBytes);
    up.length = 0;
    const packed = await client.runJob(JOB, source, { level: 3 });
    expect(packed.outputs.get('hello.o')).toEqual(createHash('sha256').update(source).digest());
    expect(Buffer.concat(up).includes(source)).toBe(false);
    expect(packed.transfer.sentWireBytes).toBeLessThan(source.length / 20);
    expect(packed.transfer.receivedWireBytes).toBeLessThan(packed.transfer.receivedBytes);
    await client.close();
    await serving;
  });

  it('falls back to no compression when the server offers none', async () => {
    const { session, serving } = start(hashingHandler, { offer: { ...OFFER, compression: ['none'] } });
    const client = await session;
    expect(client.compression).toBe('none');
    expect((await client.runJob(JOB, Buffer.from('x'))).kind).toBe('compiled');
    await client.close();
    await serving;
  });

  it('runs 20 jobs in a row on one channel', async () => {
    const { session, serving } = start(hashingHandler);
    const client = await session;
    for (let i = 1; i <= 20; i++) {
      const source = Buffer.from(`job ${i}\n`);
      const result = await client.runJob({ ...JOB, output: `o${i}.o` }, source);
      expect(result.id).toBe(i);
      expect(result.outputs.get(`o${i}.o`)).toEqual(createHash('sha256').update(source).digest());
    }
    await client.close();
    await serving;
  });

  it('takes an early answer without the source, and the channel stays usable', async () => {
    let calls = 0;
    const handler: JobHandler = async (job) => {
      calls++;
      if (calls === 1) return { kind: 'refused', message: 'option -fplugin=x.so is not allowed' };
      return hashingHandler(job);
    };
    const { session, serving } = start(handler);
    const client = await session;
    const endless = new Readable({ read() { this.push(Buffer.alloc(64 * 1024, 1)); } });
    const refused = await client.runJob(JOB, endless);
    expect(refused).toMatchObject({ kind: 'refused', message: 'option -fplugin=x.so is not allowed', exitCode: null });
    expect(refused.outputs.size).toBe(0);
    expect(endless.destroyed).toBe(true);
    expect((await client.runJob(JOB, Buffer.from('next'))).kind).toBe('compiled');
    await client.close();
    await serving;
  });

  it('cancels a running job on abort: the handler is stopped and the next job runs', async () => {
    let stopped: IncomingJob | null = null;
    const handler: JobHandler = async (job) => {
      if (job.request.id === 2) return hashingHandler(job);
      await readAll(job.source);
      await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve()));
      stopped = job;
      return { kind: 'compiled', exitCode: 0 };
    };
    const { session, serving } = start(handler);
    const client = await session;
    const controller = new AbortController();
    const running = client.runJob(JOB, Buffer.from('slow'), { signal: controller.signal });
    await sleep(20);
    controller.abort(new Error('make was interrupted'));
    await expect(running).rejects.toThrow('make was interrupted');
    expect((await client.runJob(JOB, Buffer.from('after'))).kind).toBe('compiled');
    expect((stopped as IncomingJob | null)?.signal.aborted).toBe(true);
    await client.close();
    await serving;
  });

  it('stops the running job when the client closes the channel', async () => {
    let aborted: (reason: unknown) => void = () => undefined;
    const stoppedWith = new Promise((resolve) => (aborted = resolve));
    const handler: JobHandler = (job) =>
      new Promise<JobReply>((resolve) => {
        job.signal.addEventListener('abort', () => {
          aborted(job.signal.reason);
          resolve({ kind: 'cancelled' });
        });
      });
    const { session, serving } = start(handler);
    const client = await session;
    const running = client.runJob(JOB, Buffer.from('x'));
    await sleep(20);
    await client.close();
    await expect(running).rejects.toThrow('channel closed during job 1 (its compile)');
    expect(String(await stoppedWith)).toBe('Error: the channel closed');
    await serving;
  });

  it('stops the running job when the server shuts down', async () => {
    const controller = new AbortController();
    const handler: JobHandler = (job) =>
      new Promise<JobReply>((resolve) => job.signal.addEventListener('abort', () => resolve({ kind: 'cancelled' })));
    const { session, serving, pair } = start(handler, { signal: controller.signal });
    const client = await session;
    const running = client.runJob(JOB, Buffer.from('x'));
    await sleep(20);
    controller.abort();
    await serving;
    pair.server.output.end();
    await expect(running).rejects.toThrow('channel closed during job 1');
  });

  it('answers a declared source over the limit with kind limit, without calling the handler', async () => {
    const handler = jest.fn(hashingHandler);
    const { session, serving } = start(handler);
    const client = await session;
    const result = await client.runJob({ ...JOB, sourceBytes: MAX_JOB_SOURCE_BYTES + 1 }, Buffer.from('tiny'));
    expect(result).toMatchObject({ kind: 'limit', message: `source exceeds ${MAX_JOB_SOURCE_BYTES} bytes` });
    expect(handler).not.toHaveBeenCalled();
    await client.close();
    await serving;
  });

  it('refuses to send a job the schema would refuse', async () => {
    const { session, serving } = start(hashingHandler);
    const client = await session;
    await expect(client.runJob({ ...JOB, env: { PATH: '/evil' } }, Buffer.from('x'))).rejects.toThrow(
      'refusing to send an invalid job message: env.PATH: Invalid key in record',
    );
    expect((await client.runJob(JOB, Buffer.from('x'))).kind).toBe('compiled');
    await client.close();
    await serving;
  });

  it('rejects a second job while one runs', async () => {
    const { session, serving } = start(hashingHandler);
    const client = await session;
    const first = client.runJob(JOB, Buffer.from('a'));
    await expect(client.runJob(JOB, Buffer.from('b'))).rejects.toThrow('runJob while another job runs on this channel');
    await first;
    await client.close();
    await serving;
  });
});

/** A scripted server: sends `frames` after reading the client's hello (and job, if `afterJob`). */
async function fakeServer(frames: Buffer[], afterJob = true) {
  const pair = memoryChannel();
  const reader = new FrameReader(pair.server.input, 'server');
  const hello = { protocols: [1], server: 'fake', cpus: 1, load: [], compilers: [], compression: ['zstd', 'none'] };
  pair.server.output.write(encodeFrame('hello', Buffer.from(JSON.stringify(hello))));
  const session = clientHandshake(pair.client, { compression: 'none' });
  await reader.next(); // client hello
  const client = await session;
  const running = client.runJob(JOB, Buffer.from('src'));
  if (afterJob) await reader.next();
  for (const frame of frames) pair.server.output.write(frame);
  return { running, pair, reader };
}

const control = (type: Parameters<typeof encodeFrame>[0], value: unknown) => encodeFrame(type, Buffer.from(JSON.stringify(value)));
const RESULT = testResultMessage();

describe('client against a misbehaving server', () => {
  it('reports garbage where frames should be', async () => {
    const pair = memoryChannel();
    pair.server.output.write('Last login: Tue Nov 25 from 10.0.0.1\n');
    await expect(clientHandshake(pair.client)).rejects.toThrow('expected a frame, got text "Last login: Tue Nov 25 from 10.0.0.1"');
  });

  it('reports a server that does not start with hello', async () => {
    const pair = memoryChannel();
    pair.server.output.write(control('end', { id: 1, bytes: 0 }));
    await expect(clientHandshake(pair.client)).rejects.toThrow('expected a hello frame during the handshake, got end');
  });

  it('reports a server with no common protocol version', async () => {
    const pair = memoryChannel();
    const hello = { protocols: [7, 8], server: 'future', cpus: 1, load: [], compilers: [], compression: ['zstd'] };
    pair.server.output.write(control('hello', hello));
    await expect(clientHandshake(pair.client)).rejects.toThrow(
      'no common protocol version: sshcc-server speaks 7, 8, this client 1',
    );
  });

  it('reports data before the result', async () => {
    const { running } = await fakeServer([encodeFrame('data', Buffer.from('x'))]);
    await expect(running).rejects.toThrow('expected the result of job 1, got a data frame');
  });

  it('reports a result for another job', async () => {
    const { running } = await fakeServer([control('result', { ...RESULT, id: 9 })]);
    await expect(running).rejects.toThrow('result of job 9 while job 1 runs');
  });

  it('reports a result with a wrongly typed field', async () => {
    const { running } = await fakeServer([control('result', { ...RESULT, exitCode: '0' })]);
    await expect(running).rejects.toThrow('invalid result message: exitCode: Invalid input: expected number, received string');
  });

  it('reports an end whose byte count does not match', async () => {
    const { running } = await fakeServer([control('result', RESULT), control('end', { id: 1, bytes: 10 })]);
    await expect(running).rejects.toThrow('outputs of job 1 ended at 10 bytes but 0 came');
  });

  it('reports a stream truncated inside a frame', async () => {
    const { running, pair } = await fakeServer([control('result', RESULT).subarray(0, 20)]);
    pair.server.output.end();
    await expect(running).rejects.toThrow(/^stream ended inside a result frame \(20 of \d+ bytes\)$/);
  });

  it('reports a server that closes before answering, and stays failed', async () => {
    const pair = memoryChannel();
    const reader = new FrameReader(pair.server.input, 'server');
    const hello = { protocols: [1], server: 'fake', cpus: 1, load: [], compilers: [], compression: ['none'] };
    pair.server.output.write(control('hello', hello));
    const client = await clientHandshake(pair.client);
    await reader.next();
    const running = client.runJob(JOB, Buffer.from('src'));
    await reader.next();
    pair.server.output.end();
    await expect(running).rejects.toThrow('channel closed during job 1');
    await expect(client.runJob(JOB, Buffer.from('src'))).rejects.toThrow('channel closed during job 1');
  });

  it('passes on the reason in a server error frame and answers a bad frame with one', async () => {
    const { running } = await fakeServer([control('error', { message: 'disk on fire' })]);
    await expect(running).rejects.toThrow('sshcc-server: disk on fire');
  });

  it('refuses a zstd bomb in the outputs before inflating it', async () => {
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(2 ** 32));
    const bomb = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]), size, Buffer.from([0x13, 0, 0x10, 0])]);
    const pair = memoryChannel();
    const reader = new FrameReader(pair.server.input, 'server');
    const hello = { protocols: [1], server: 'fake', cpus: 1, load: [], compilers: [], compression: ['zstd'] };
    pair.server.output.write(control('hello', hello));
    const client = await clientHandshake(pair.client);
    expect(client.compression).toBe('zstd');
    await reader.next();
    const running = client.runJob(JOB, Buffer.from('src'));
    await reader.next();
    pair.server.output.write(control('result', RESULT));
    pair.server.output.write(encodeFrame('data', bomb));
    await expect(running).rejects.toThrow('data frame decompresses to 4294967296 bytes, more than the 262144 allowed');
    // The client told the server why before dropping the channel.
    let frame = await reader.next();
    while (frame && frame.type !== 'error') frame = await reader.next();
    expect(frame && JSON.parse(frame.payload.toString())).toEqual({
      message: 'data frame decompresses to 4294967296 bytes, more than the 262144 allowed',
    });
  });
});

/** A scripted client: hello, then `frames`; returns what the server answered. */
async function fakeClient(frames: Buffer[], handler: JobHandler = hashingHandler) {
  const pair = memoryChannel();
  const serving = serveJobs(pair.server, { offer: OFFER, handler });
  const reader = new FrameReader(pair.client.input, 'client');
  await reader.next(); // server hello
  pair.client.output.write(control('hello', { protocol: 1, compression: 'none', client: 'fake' }));
  for (const frame of frames) pair.client.output.write(frame);
  const error = await serving.then(
    () => null,
    (err: Error) => err.message,
  );
  const answered: string[] = [];
  for (let frame = await reader.next(); frame; frame = await reader.next()) {
    answered.push(frame.type === 'error' ? `error: ${JSON.parse(frame.payload.toString()).message}` : frame.type);
  }
  return { error, answered };
}

describe('server against a misbehaving client', () => {
  it('refuses data before a job', async () => {
    expect(await fakeClient([encodeFrame('data', Buffer.from('x'))])).toEqual({
      error: 'data frame outside a job',
      answered: ['error: data frame outside a job'],
    });
  });

  it('refuses a job with wrongly typed fields', async () => {
    const { error } = await fakeClient([control('job', { ...testJobRequest(), args: [1, 2] })]);
    expect(error).toBe('invalid job message: args.0: Invalid input: expected string, received number');
  });

  it('refuses a second job while the first is open, and stops the first', async () => {
    const handler = jest.fn(async (job: IncomingJob): Promise<JobReply> => {
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      return { kind: 'cancelled' };
    });
    const { error } = await fakeClient([control('job', testJobRequest()), control('job', testJobRequest({ id: 2 }))], handler);
    expect(error).toBe('job 2 sent while job 1 is still open');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]?.[0].signal.aborted).toBe(true);
  });

  it('refuses an end whose byte count does not match what came', async () => {
    const { error } = await fakeClient([
      control('job', testJobRequest()),
      encodeFrame('data', Buffer.from('12345')),
      control('end', { id: 1, bytes: 4 }),
    ]);
    expect(error).toBe('job 1 ended its source at 4 bytes but sent 5');
  });

  it('refuses more source than declared', async () => {
    const { error } = await fakeClient([
      control('job', testJobRequest({ sourceBytes: 3 })),
      encodeFrame('data', Buffer.from('12345')),
    ]);
    expect(error).toBe('job 1 sent more than the 3 source bytes it declared');
  });

  it('refuses a truncated stream and stops the job', async () => {
    const handler = jest.fn(async (job: IncomingJob): Promise<JobReply> => {
      await readAll(job.source).catch(() => undefined);
      return { kind: 'compiled', exitCode: 0 };
    });
    const pair = memoryChannel();
    const serving = serveJobs(pair.server, { offer: OFFER, handler });
    const reader = new FrameReader(pair.client.input, 'client');
    await reader.next();
    pair.client.output.write(control('hello', { protocol: 1, compression: 'none', client: 'fake' }));
    pair.client.output.write(control('job', testJobRequest()));
    pair.client.output.end(encodeFrame('data', Buffer.from('12345')).subarray(0, 7));
    await expect(serving).rejects.toThrow('stream ended inside a data frame (7 of 10 bytes)');
    expect(handler.mock.calls[0]?.[0].signal.aborted).toBe(true);
  });

  it('refuses a client hello with a protocol it does not speak', async () => {
    const pair = memoryChannel();
    const serving = serveJobs(pair.server, { offer: OFFER, handler: hashingHandler });
    const reader = new FrameReader(pair.client.input, 'client');
    await reader.next();
    pair.client.output.write(control('hello', { protocol: 2, compression: 'zstd', client: 'fake' }));
    await expect(serving).rejects.toThrow('client chose protocol 2; this server speaks 1');
  });

  it('ends cleanly when the client closes after reading the hello (a probe)', async () => {
    const pair = memoryChannel();
    const serving = serveJobs(pair.server, { offer: OFFER, handler: hashingHandler });
    const reader = new FrameReader(pair.client.input, 'client');
    expect((await reader.next())?.type).toBe('hello');
    pair.client.output.end();
    await expect(serving).resolves.toBeUndefined();
  });

  it('refuses a client hello choosing a compression it did not offer', async () => {
    const pair = memoryChannel();
    const serving = serveJobs(pair.server, { offer: { ...OFFER, compression: ['none'] }, handler: hashingHandler });
    const reader = new FrameReader(pair.client.input, 'client');
    await reader.next();
    pair.client.output.write(control('hello', { protocol: 1, compression: 'zstd', client: 'fake' }));
    await expect(serving).rejects.toThrow('client chose compression "zstd", which this server did not offer');
  });

  it('refuses a cancel for a job never sent', async () => {
    const { error, answered } = await fakeClient([
      control('job', testJobRequest()),
      control('end', { id: 1, bytes: 0 }),
      control('cancel', { id: 1 }),
      control('cancel', { id: 5 }),
    ]);
    expect(error).toBe('cancel of job 5, which was never sent');
    expect(answered[answered.length - 1]).toBe('error: cancel of job 5, which was never sent');
  });
});
