import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { clientHandshake, memoryChannel, serveJobs, type ClientOptions, type JobHandler, type JobStage, type ServerOffer } from '@sshcc/protocol';
import { testJobRequest } from './test-job';

const OFFER: ServerOffer = { server: 'test/1', cpus: 2, load: [0, 0, 0], compilers: ['gcc'] };
const { id: _id, ...JOB } = testJobRequest();
const OBJECT = Buffer.from('an object file that compresses well\n'.repeat(2000));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-transfer-'));
  writeFileSync(join(dir, 'out.o'), OBJECT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drain(source: Readable): Promise<void> {
  for await (const _ of source) {
    // the "compiler" only needs the source read
  }
}

const compiling: JobHandler = async (job) => {
  await drain(job.source);
  return { kind: 'compiled', exitCode: 0, compileMs: 1, outputs: [{ name: job.request.output, path: join(dir, 'out.o'), size: OBJECT.length }] };
};

async function session(handler: JobHandler, client: ClientOptions = {}) {
  const pair = memoryChannel();
  const serving = serveJobs(pair.server, { offer: OFFER, handler });
  serving.catch(() => undefined);
  return { client: await clientHandshake(pair.client, client), serving };
}

describe('JobResult.transfer', () => {
  it('counts source and output bytes before and after zstd, and reports the stages in order', async () => {
    const { client, serving } = await session(compiling);
    const source = Buffer.from('int repeated_line;\n'.repeat(50000));
    const stages: JobStage[] = [];
    const result = await client.runJob(JOB, source, { onStage: (stage) => stages.push(stage) });
    expect(stages).toEqual(['sent', 'answered']);
    const { transfer } = result;
    expect(transfer.sentBytes).toBe(source.length);
    expect(transfer.sentWireBytes).toBeGreaterThan(0);
    expect(transfer.sentWireBytes).toBeLessThan(source.length / 10);
    // The output travels as a tar archive: at least the object, less once compressed.
    expect(transfer.receivedBytes).toBeGreaterThan(OBJECT.length);
    expect(transfer.receivedWireBytes).toBeLessThan(OBJECT.length / 10);
    expect(transfer.sentMs).not.toBeNull();
    expect(transfer.sentMs as number).toBeLessThanOrEqual(transfer.answeredMs);
    expect(transfer.answeredMs).toBeLessThanOrEqual(transfer.doneMs);
    await client.close();
    await serving;
  });

  it('counts the same bytes on the wire when compression is off', async () => {
    const { client, serving } = await session(compiling, { compression: 'none' });
    const source = Buffer.from('int x;\n'.repeat(1000));
    const { transfer } = await client.runJob(JOB, source);
    expect(transfer.sentWireBytes).toBe(transfer.sentBytes);
    expect(transfer.receivedWireBytes).toBe(transfer.receivedBytes);
    await client.close();
    await serving;
  });

  it('has no sent time and only the answered stage when the server answers before the source ends', async () => {
    const { client, serving } = await session(async () => ({ kind: 'refused', message: 'not allowed' }));
    const endless = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
      },
    });
    const stages: JobStage[] = [];
    const result = await client.runJob(JOB, endless, { onStage: (stage) => stages.push(stage) });
    expect(result.kind).toBe('refused');
    expect(stages).toEqual(['answered']);
    expect(result.transfer).toMatchObject({ sentMs: null, receivedBytes: 0, receivedWireBytes: 0 });
    endless.destroy();
    await client.close();
    await serving;
  });
});
