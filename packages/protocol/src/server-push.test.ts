// Pack pushes over an in-process channel. A store that gives up before the archive has all arrived (a
// full disk, a bad first entry): the rest of the archive is read and dropped, the client hears `packed`
// with the store's reason, and the channel serves on. A client that closes right after `end`: the store
// still reads the whole archive, so its verdict is about the pack, never about the closed channel.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientHandshake, encodeFrame, FrameReader, memoryChannel, serveJobs, type FrameType, type PackReceiver, type ServerOffer } from '@sshcc/protocol';
import { testPackManifest } from './test-job';

const OFFER: ServerOffer = { server: 'test/1', cpus: 2, load: [], compilers: ['gcc'], cache: false };
/** More than the server buffers ahead of its store (4 MiB): the store's refusal meets a client still sending. */
const ARCHIVE = randomBytes(12 * 1024 * 1024);
const manifest = testPackManifest([
  { path: 'bin/cc', sha256: 'b'.repeat(64), size: ARCHIVE.length, executable: true },
  { path: 'lib/ld.so', sha256: 'c'.repeat(64), size: 10, executable: true },
]);

/**
 * Pipes the archive into a writer that takes one chunk and then stalls, as PackStore's decompressor does
 * once a tar entry has failed on ENOSPC, and answers as a full disk would.
 */
const fullDisk: PackReceiver = {
  wanted: () => Promise.resolve(['b'.repeat(64), 'c'.repeat(64)]),
  receive: async (_manifest, _wanted, archive) => {
    const took = new Promise((resolve) => archive.pipe(new Writable({ highWaterMark: 1, write: resolve })));
    await took;
    return { ok: false, message: 'no space left for the pack in /full' };
  },
};

test('a store that stops reading mid-archive: the push is answered with its reason, and the channel takes the next push', async () => {
  const pair = memoryChannel();
  const serving = serveJobs(pair.server, { offer: OFFER, handler: () => Promise.reject(new Error('no jobs here')), packs: fullDisk });
  const client = await clientHandshake(pair.client);
  const archiveOf = () => Readable.from([ARCHIVE.subarray(0, ARCHIVE.length / 2), ARCHIVE.subarray(ARCHIVE.length / 2)]);
  for (let push = 0; push < 2; push++) {
    expect(await client.pushPack(manifest, archiveOf)).toMatchObject({ ok: false, message: 'no space left for the pack in /full' });
  }
  await client.close();
  await serving;
}, 20_000);

test('a client that closes its side right after `end`: a store still reading gets the whole archive', async () => {
  const pair = memoryChannel();
  const stored: { bytes: number; error: string | null } = { bytes: 0, error: null };
  // The store reads only once the client's side has closed, as a store busy hashing an earlier entry would.
  const slowStore: PackReceiver = {
    wanted: () => Promise.resolve(['b'.repeat(64), 'c'.repeat(64)]),
    receive: async (_manifest, _wanted, archive) => {
      await once(pair.server.input, 'end');
      await sleep(50);
      try {
        for await (const chunk of archive) stored.bytes += (chunk as Buffer).length;
      } catch (err) {
        stored.error = (err as Error).message;
      }
      return { ok: stored.error === null, message: stored.error ?? 'stored' };
    },
  };
  const serving = serveJobs(pair.server, { offer: OFFER, handler: () => Promise.reject(new Error('no jobs here')), packs: slowStore });
  const control = (type: FrameType, value: unknown): Buffer => encodeFrame(type, Buffer.from(JSON.stringify(value)));
  const reader = new FrameReader(pair.client.input, 'client');
  pair.client.output.write(control('hello', { protocol: 1, compression: 'none', client: 'raw-test' }));
  expect((await reader.next())?.type).toBe('hello');
  pair.client.output.write(control('pack', { id: 1, manifest }));
  expect((await reader.next())?.type).toBe('want');
  const part = ARCHIVE.subarray(0, 200 * 1024);
  pair.client.output.end(Buffer.concat([encodeFrame('data', part), control('end', { id: 1, bytes: part.length })]));
  await serving;
  expect(stored).toEqual({ bytes: part.length, error: null });
});
