import { SshccError } from '@sshcc/core';
import {
  clientHandshake,
  FrameConnection,
  memoryChannel,
  serveJobs,
  type ClientSession,
  type FrameIo,
  type JobHandler,
  type ServerOffer,
} from '@sshcc/protocol';
import { testJobRequest, testResultMessage } from './test-job';

// A stuck or hostile server must not hang a build: the client gives each job the server's own time limit
// plus a grace for its result, and a bound on any stall of the channel while the source goes up or the
// outputs come down. Then the job fails with 'timeout' (the agent's policy: retry elsewhere).

const { id: _id, ...JOB } = testJobRequest({ timeLimitSeconds: 1 });
const DEADLINES = { resultGraceMs: 200, stallMs: 200 };
const OFFER: ServerOffer = { server: 'test/1', cpus: 1, load: [0], compilers: ['gcc'] };

/** A server that says hello, takes the handshake, then does whatever `then` does with the channel. */
function rawServer(io: FrameIo, then: (conn: FrameConnection) => Promise<void>): void {
  const conn = new FrameConnection(io, 'server');
  void (async () => {
    await conn.sendControl('hello', { protocols: [1], server: 'stuck/1', cpus: 1, load: [0], compilers: ['gcc'], compression: ['none'] });
    await conn.expect('hello', 'the handshake');
    await then(conn);
  })().catch(() => undefined);
}

async function connect(server: (conn: FrameConnection) => Promise<void>): Promise<ClientSession> {
  const pair = memoryChannel();
  rawServer(pair.server, server);
  return clientHandshake(pair.client, { compression: 'none', deadlines: DEADLINES });
}

/** Reads the job and its source to the end frame. */
async function takeJob(conn: FrameConnection): Promise<void> {
  await conn.expect('job', 'a job');
  for (let frame = await conn.next(); frame && frame.type !== 'end'; frame = await conn.next()) {
    // the source, read and dropped
  }
}

async function expectTimeout(work: Promise<unknown>, message: string): Promise<void> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SshccError);
  expect(err).toMatchObject({ code: 'timeout', message });
}

describe('a job on a server that stops answering', () => {
  it('fails with timeout once its time limit and the grace have passed, and the channel is dropped', async () => {
    const session = await connect(async (conn) => {
      await takeJob(conn);
      // ...and never a word more.
      await new Promise(() => undefined);
    });
    const started = Date.now();
    await expectTimeout(session.runJob(JOB, Buffer.from('int x;\n')), 'job 1 got no answer within its 1 s time limit and 0.2 s more (1.2 s)');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(session.runJob(JOB, Buffer.from('int y;\n'))).rejects.toMatchObject({ code: 'timeout' });
  });

  it('fails with timeout when the outputs stall after the result', async () => {
    const session = await connect(async (conn) => {
      await takeJob(conn);
      await conn.sendControl('result', testResultMessage());
      await new Promise(() => undefined);
    });
    await expectTimeout(session.runJob(JOB, Buffer.from('int x;\n')), 'job 1 stalled while its outputs came (0.2 s)');
  });

  it('fails with timeout when the server stops reading the source', async () => {
    const session = await connect(async (conn) => {
      await conn.expect('job', 'a job');
      conn.io.input.pause();
      await new Promise(() => undefined);
    });
    // Far more than the memory channel buffers: sending blocks once the server stops reading.
    const source = Buffer.alloc(8 * 1024 * 1024, 'int x;\n');
    await expectTimeout(session.runJob(JOB, source), 'job 1 stalled while its source was sent (0.2 s)');
  });

  it('fails with timeout when a cancelled job is never answered', async () => {
    const session = await connect(async (conn) => {
      await conn.expect('job', 'a job');
      await new Promise(() => undefined);
    });
    const controller = new AbortController();
    const running = session.runJob(JOB, slowSource(1000), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('interrupted')), 50);
    await expect(running).rejects.toThrow('interrupted');
    // The next job waits for the cancelled one's answer, which the watchdog ends.
    await expect(session.runJob(JOB, Buffer.from('int y;\n'))).rejects.toMatchObject({ code: 'timeout', message: 'job 1 was cancelled and got no answer (0.2 s)' });
  });
});

describe('a job on a server that is slow but honest', () => {
  const slowCompile: JobHandler = async (job) => {
    for await (const _ of job.source) {
      // read the source
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    return { kind: 'compiled', exitCode: 0 };
  };

  it('is not cut short by a compile within its time limit, nor by a source that is slow to come', async () => {
    const pair = memoryChannel();
    const serving = serveJobs(pair.server, { offer: OFFER, handler: slowCompile });
    const session = await clientHandshake(pair.client, { compression: 'none', deadlines: DEADLINES });
    // The compile takes 0.6 s of its 1 s; the source comes in pieces 0.3 s apart, longer than a stall.
    const done = await session.runJob(JOB, slowSource(300));
    expect(done).toMatchObject({ kind: 'compiled', exitCode: 0 });
    await session.close();
    await serving;
  });
});

/**
 * Three pieces of source, `gapMs` apart: a preprocessor that is slow to produce them. The gaps are
 * unref'd: a cancelled job leaves its generator asleep, which must not keep the test worker alive.
 */
async function* slowSource(gapMs: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < 3; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs).unref());
    yield Buffer.from(`int piece${i};\n`);
  }
}
