// Flow control end to end for a streamed source: a server that stops reading holds the client back,
// down to the source itself. The client pulls its source (a pipe from cpp, in the agent) only as fast as
// the channel takes it, so a slow link never makes it queue data of its own.
import { randomBytes } from 'node:crypto';
import { clientHandshake, memoryChannel, serveJobs, type JobHandler, type ServerOffer } from '@sshcc/protocol';
import { testJobRequest } from './test-job';

const OFFER: ServerOffer = { server: 'test/1', cpus: 2, load: [0, 0, 0], compilers: ['gcc'] };
const { id: _id, ...JOB } = testJobRequest({ sourceBytes: null });
const PIECE = 64 * 1024;
/** What the source could give: far more than any buffer on the way should hold. */
const OFFERED = 64 * 1024 * 1024;
/** What the server reads before it stops. */
const READ_FIRST = 1024 * 1024;
/**
 * The most the client may have pulled beyond what the server read: the server's source buffer (1 MiB),
 * a few 256 KiB data frames in flight, and the stream buffers between them, with room to spare.
 */
const MAX_AHEAD = 4 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a server that stops reading stops the client pulling its streamed source; reading on, it gets it all', async () => {
  let pulled = 0;
  let served = 0;
  let resume!: () => void;
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  const handler: JobHandler = async (job) => {
    for await (const chunk of job.source) {
      served += (chunk as Buffer).length;
      if (served >= READ_FIRST) await resumed;
    }
    return { kind: 'compiled', exitCode: 0, compileMs: 1, outputs: [] };
  };
  const pair = memoryChannel();
  const serving = serveJobs(pair.server, { offer: OFFER, handler });
  serving.catch(() => undefined);
  // Incompressible and uncompressed: the bytes on the way are the bytes pulled.
  const client = await clientHandshake(pair.client, { compression: 'none' });
  async function* cpp(): AsyncGenerator<Buffer> {
    const piece = randomBytes(PIECE);
    while (pulled < OFFERED) {
      pulled += piece.length;
      yield piece;
    }
  }
  const job = client.runJob({ ...JOB, output: 'out.o' }, cpp());

  // Waits until the client has pulled as much as the stopped server lets it: no growth for 300 ms.
  for (let last = -1; last !== pulled; ) {
    last = pulled;
    await sleep(300);
  }
  expect(served).toBeGreaterThanOrEqual(READ_FIRST);
  expect(pulled - served).toBeLessThanOrEqual(MAX_AHEAD);
  expect(pulled).toBeLessThan(OFFERED);

  resume();
  const result = await job;
  expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
  expect(served).toBe(OFFERED);
  expect(result.transfer.sentBytes).toBe(OFFERED);
  await client.close();
  await serving;
}, 60_000);
