// The lookup before upload, end to end over an in-process channel: a hit needs no source, a miss asks for
// it with `need` (or already has it, when a small source came right behind the request), and a server
// without a cache is never sent a key.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  cacheKey,
  clientHandshake,
  encodeFrame,
  FrameReader,
  memoryChannel,
  serveJobs,
  SOURCE_FOLLOWS_MAX_WIRE_BYTES,
  type IncomingJob,
  type JobHandler,
  type JobReply,
  type ServerOffer,
} from '@sshcc/protocol';
import { testJobRequest } from './test-job';

const OFFER: ServerOffer = { server: 'test/1', cpus: 2, load: [], compilers: ['gcc'], cache: true };
const { id: _id, ...JOB } = testJobRequest();
/** Random bytes do not compress: this source is over the limit for sending it unasked. */
const BIG = randomBytes(SOURCE_FOLLOWS_MAX_WIRE_BYTES + 1024);
const SMALL = Buffer.from('int x;\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-lookup-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  readonly key: string | null | undefined;
  readonly follows: boolean | undefined;
  readonly sourceBytes: number | null;
  readonly atEnd?: true;
}

/** A server whose cache holds `cached` keys: a hit answers at once, a miss reads the source and "compiles" it. */
function cachingHandler(cached: ReadonlySet<string>, seen: Seen[]): JobHandler {
  return async (job: IncomingJob): Promise<JobReply> => {
    const key = job.request.cacheKey;
    const object = join(dir, `job-${job.request.id}-${seen.length}.o`);
    if (key && cached.has(key)) {
      seen.push({ key, follows: job.request.sourceFollows, sourceBytes: null });
      writeFileSync(object, `cached ${key}`);
      return { kind: 'compiled', exitCode: 0, stderr: Buffer.from('warning: cached\n'), cached: true, outputs: [{ name: job.request.output, path: object, size: 71 }] };
    }
    job.needSource();
    const parts: Buffer[] = [];
    for await (const part of job.source) parts.push(part as Buffer);
    const source = Buffer.concat(parts);
    seen.push({ key, follows: job.request.sourceFollows, sourceBytes: source.length, ...(job.request.cacheAtEnd ? { atEnd: true as const } : {}) });
    writeFileSync(object, 'compiled');
    return { kind: 'compiled', exitCode: 0, outputs: [{ name: job.request.output, path: object, size: 8 }] };
  };
}

async function session(handler: JobHandler, offer: ServerOffer = OFFER) {
  const pair = memoryChannel();
  const serving = serveJobs(pair.server, { offer, handler });
  serving.catch(() => undefined);
  const client = await clientHandshake(pair.client);
  return { client, serving };
}

describe('lookup before upload', () => {
  it('a hit on a big source: no source is sent, the answer says it came from the cache', async () => {
    const seen: Seen[] = [];
    const key = cacheKey(JOB, BIG);
    const { client, serving } = await session(cachingHandler(new Set([key]), seen));
    const result = await client.runJob(JOB, BIG);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, cached: true });
    expect(result.stderr.toString()).toBe('warning: cached\n');
    expect(result.outputs.get('hello.o')?.toString()).toBe(`cached ${key}`);
    expect(result.transfer.sentBytes).toBe(0);
    expect(seen).toEqual([{ key, follows: false, sourceBytes: null }]);
    // The channel is ready for the next job.
    const next = await client.runJob(JOB, SMALL);
    expect(next).toMatchObject({ kind: 'compiled', cached: false });
    await client.close();
    await serving;
  });

  it('a miss on a big source: the server asks for it, then compiles', async () => {
    const seen: Seen[] = [];
    const { client, serving } = await session(cachingHandler(new Set(), seen));
    const result = await client.runJob(JOB, BIG);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, cached: false });
    expect(result.outputs.get('hello.o')?.toString()).toBe('compiled');
    expect(result.transfer.sentBytes).toBe(BIG.length);
    expect(seen).toEqual([{ key: cacheKey(JOB, BIG), follows: false, sourceBytes: BIG.length }]);
    await client.close();
    await serving;
  });

  it('a small source comes right behind the request; a hit discards it', async () => {
    const seen: Seen[] = [];
    const key = cacheKey(JOB, SMALL);
    const { client, serving } = await session(cachingHandler(new Set([key]), seen));
    expect((await client.runJob(JOB, SMALL)).cached).toBe(true);
    expect(seen).toEqual([{ key, follows: true, sourceBytes: null }]);
    expect((await client.runJob({ ...JOB, args: ['-c', '-O0'] }, SMALL)).cached).toBe(false);
    expect(seen[1]).toMatchObject({ follows: true, sourceBytes: SMALL.length });
    await client.close();
    await serving;
  });

  it('a caller that does not expect a hit sends a big source right behind the request: a miss waits for no `need`, a hit discards it', async () => {
    const seen: Seen[] = [];
    const { client, serving } = await session(cachingHandler(new Set([cacheKey({ ...JOB, args: ['-c'] }, BIG)]), seen));
    const missed = await client.runJob(JOB, BIG, { holdSourceForLookup: false });
    expect(missed).toMatchObject({ cached: false });
    expect(missed.transfer.sentBytes).toBe(BIG.length);
    expect((await client.runJob({ ...JOB, args: ['-c'] }, BIG, { holdSourceForLookup: false })).cached).toBe(true);
    expect(seen).toEqual([
      { key: cacheKey(JOB, BIG), follows: true, sourceBytes: BIG.length },
      { key: cacheKey({ ...JOB, args: ['-c'] }, BIG), follows: true, sourceBytes: null },
    ]);
    await client.close();
    await serving;
  });

  it('a key given by the caller is used as is; null turns the cache off for the job', async () => {
    const seen: Seen[] = [];
    const given = 'e'.repeat(64);
    const { client, serving } = await session(cachingHandler(new Set([given]), seen));
    expect((await client.runJob(JOB, BIG, { cacheKey: given })).cached).toBe(true);
    expect((await client.runJob(JOB, SMALL, { cacheKey: null })).cached).toBe(false);
    expect(seen.map((s) => s.key)).toEqual([given, undefined]);
    await client.close();
    await serving;
  });

  it('a streamed source follows the request; with no key given the server works the key out at its end', async () => {
    const seen: Seen[] = [];
    const { client, serving } = await session(cachingHandler(new Set(), seen));
    await client.runJob(JOB, Readable.from([SMALL]));
    await client.runJob(JOB, Readable.from([BIG]), { cacheKey: 'e'.repeat(64) });
    await client.runJob(JOB, Readable.from([SMALL]), { cacheKey: null });
    expect(seen).toEqual([
      { key: undefined, follows: undefined, sourceBytes: SMALL.length, atEnd: true },
      { key: 'e'.repeat(64), follows: true, sourceBytes: BIG.length },
      { key: undefined, follows: undefined, sourceBytes: SMALL.length },
    ]);
    await client.close();
    await serving;
  });

  it('a server whose hello offers no cache is sent no key', async () => {
    const seen: Seen[] = [];
    const { client, serving } = await session(cachingHandler(new Set(), seen), { ...OFFER, cache: false });
    expect(client.hello.cache).toBe(false);
    await client.runJob(JOB, BIG);
    expect(seen).toEqual([{ key: undefined, follows: undefined, sourceBytes: BIG.length }]);
    await client.close();
    await serving;
  });

  it('a refusal while the source is held back closes the job, and the next one runs', async () => {
    let calls = 0;
    const handler: JobHandler = async (job) => (++calls === 1 ? { kind: 'refused', message: 'no' } : cachingHandler(new Set(), [])(job));
    const { client, serving } = await session(handler);
    expect((await client.runJob(JOB, BIG)).kind).toBe('refused');
    expect((await client.runJob(JOB, BIG)).kind).toBe('compiled');
    await client.close();
    await serving;
  });
});

const control = (type: Parameters<typeof encodeFrame>[0], value: unknown) => encodeFrame(type, Buffer.from(JSON.stringify(value)));

/** A scripted client speaking to a real serveJobs: hello, then `script`; returns the frame types answered. */
async function scriptedClient(offer: ServerOffer, handler: JobHandler, script: (send: (frame: Buffer) => void, answered: string[]) => Promise<void>) {
  const pair = memoryChannel();
  const serving = serveJobs(pair.server, { offer, handler });
  const reader = new FrameReader(pair.client.input, 'client');
  await reader.next();
  pair.client.output.write(control('hello', { protocol: 1, compression: 'none', client: 'fake' }));
  const answered: string[] = [];
  const reading = (async () => {
    for (let frame = await reader.next(); frame; frame = await reader.next()) {
      answered.push(frame.type === 'error' ? `error: ${JSON.parse(frame.payload.toString()).message}` : frame.type);
    }
  })();
  await script((frame) => pair.client.output.write(frame), answered);
  pair.client.output.end();
  const error = await serving.then(
    () => null,
    (err: Error) => err.message,
  );
  await reading;
  return { error, answered };
}

async function until(answered: string[], type: string): Promise<void> {
  while (!answered.includes(type)) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the server side of a held-back source', () => {
  const held = testJobRequest({ cacheKey: 'a'.repeat(64), sourceFollows: false });

  it('refuses source data the server did not ask for', async () => {
    const waits: JobHandler = (job) => new Promise<JobReply>((resolve) => job.signal.addEventListener('abort', () => resolve({ kind: 'cancelled' })));
    const result = await scriptedClient(OFFER, waits, async (send) => {
      send(control('job', held));
      send(encodeFrame('data', Buffer.from('x')));
    });
    expect(result.error).toBe('data frame for job 1 before the server asked for its source');
  });

  it('a server that offers no cache asks for a held-back source at once', async () => {
    const result = await scriptedClient({ ...OFFER, cache: false }, cachingHandler(new Set(), []), async (send, answered) => {
      send(control('job', held));
      await until(answered, 'need');
      send(encodeFrame('data', Buffer.from('x')));
      send(control('end', { id: 1, bytes: 1 }));
      await until(answered, 'end');
    });
    expect(result).toEqual({ error: null, answered: ['need', 'result', 'data', 'end'] });
  });

  it('a hit while the source is held back is closed by the client with cancel', async () => {
    const hit = cachingHandler(new Set(['a'.repeat(64)]), []);
    const result = await scriptedClient(OFFER, hit, async (send, answered) => {
      send(control('job', held));
      await until(answered, 'end');
      send(control('cancel', { id: 1 }));
      // The channel takes the next job.
      send(control('job', testJobRequest({ id: 2, sourceBytes: 1 })));
      send(encodeFrame('data', Buffer.from('y')));
      send(control('end', { id: 2, bytes: 1 }));
      while (answered.filter((type) => type === 'end').length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(result).toEqual({ error: null, answered: ['result', 'data', 'end', 'result', 'data', 'end'] });
  });
});
