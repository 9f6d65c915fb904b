import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrameReader, encodeFrame, type FrameType } from '@sshcc/protocol';
import { cleanUp, connect, startServer, testRoot, type TestServer } from './test-server';

afterEach(cleanUp);

const control = (type: FrameType, value: unknown): Buffer => encodeFrame(type, Buffer.from(JSON.stringify(value)));
const CLIENT_HELLO = control('hello', { protocol: 1, compression: 'none', client: 'raw-test' });
const JOB = {
  id: 1,
  compiler: 'gcc',
  fingerprint: { version: 'v', target: 't', driver: '0'.repeat(64), cc1: null, cc1plus: null },
  args: ['-c'],
  lang: 'c',
  input: 'x.c',
  output: 'x.o',
  extraOutputs: [],
  cwd: '/src',
  env: {},
  timeLimitSeconds: 60,
  sourceBytes: null,
};

/** Writes `bytes` to a fresh server after its hello; returns its error frame, exit and stderr. */
async function feed(server: TestServer, bytes: Buffer[], { end = false } = {}) {
  const reader = new FrameReader(server.child.stdout, 'client');
  expect((await reader.next())?.type).toBe('hello');
  for (const chunk of bytes) server.child.stdin.write(chunk);
  if (end) server.child.stdin.end();
  const frames: string[] = [];
  for (let frame = await reader.next(); frame; frame = await reader.next()) {
    frames.push(frame.type === 'error' ? `error: ${JSON.parse(frame.payload.toString()).message}` : frame.type);
  }
  return { frames, exit: await server.exited, stderr: server.stderr() };
}

describe('sshcc-server on bad input', () => {
  it('answers text with a protocol error and exits', async () => {
    const server = startServer(testRoot());
    expect(await feed(server, [Buffer.from('GET / HTTP/1.1\r\nHost: volunteer\r\n\r\n')])).toEqual({
      frames: ['error: expected a frame, got text "GET / HTTP/1.1 Host: volunteer"'],
      exit: { code: 113, signal: null },
      stderr: 'sshcc: protocol: expected a frame, got text "GET / HTTP/1.1 Host: volunteer"\n',
    });
  });

  it('refuses an oversized frame from its header, before any body', async () => {
    const root = testRoot();
    const server = startServer(root);
    const header = Buffer.from([0x06, 0x40, 0x00, 0x00, 0x02]); // a 100 MiB job frame
    const { frames, exit } = await feed(server, [CLIENT_HELLO, header]);
    expect(frames).toEqual(['error: job frame of 104857600 bytes exceeds the limit of 1048576']);
    expect(exit.code).toBe(113);
    expect(readdirSync(server.tmp)).toEqual([]);
  });

  it('refuses binary garbage', async () => {
    const server = startServer(testRoot());
    const { frames } = await feed(server, [CLIENT_HELLO, Buffer.from([0, 0, 0, 3, 0xee, 1, 2, 3])]);
    expect(frames).toEqual(['error: unknown frame type 0xee']);
  });

  it('refuses a job with wrongly typed fields', async () => {
    const server = startServer(testRoot());
    const { frames } = await feed(server, [CLIENT_HELLO, control('job', { ...JOB, args: '-c' })]);
    expect(frames).toEqual(['error: invalid job message: args: Invalid input: expected array, received string']);
  });

  it('refuses data outside a job', async () => {
    const server = startServer(testRoot());
    const { frames } = await feed(server, [CLIENT_HELLO, encodeFrame('data', Buffer.from('int x;'))]);
    expect(frames).toEqual(['error: data frame outside a job']);
  });

  it('drops a stream truncated inside a frame mid-job and leaves no job dir', async () => {
    const root = testRoot();
    const server = startServer(root);
    const data = encodeFrame('data', Buffer.from('int x;\n'.repeat(100)));
    const { frames, exit, stderr } = await feed(server, [CLIENT_HELLO, control('job', JOB), data, data.subarray(0, 50)], { end: true });
    expect(frames).toEqual(['error: stream ended inside a data frame (50 of 705 bytes)']);
    expect(exit.code).toBe(113);
    expect(stderr).toBe('sshcc: protocol: stream ended inside a data frame (50 of 705 bytes)\n');
    expect(readdirSync(server.tmp)).toEqual([]);
  });

  it('reports a broken config to the client in an error frame', async () => {
    const root = testRoot();
    writeFileSync(join(root, 'config', 'sshcc', 'server.json'), '{"maxJobSeconds": "soon"}');
    const server = startServer(root);
    await expect(connect(server)).rejects.toThrow(
      `sshcc-server: config: ${join(root, 'config', 'sshcc', 'server.json')}: maxJobSeconds: Invalid input: expected number, received string`,
    );
    expect((await server.exited).code).toBe(102);
  });
});
