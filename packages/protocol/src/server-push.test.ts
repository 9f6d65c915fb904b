// A pack push whose store gives up before the archive has all arrived (a full disk, a bad first entry),
// over an in-process channel: the rest of the archive is read and dropped, the client hears `packed` with
// the store's reason, and the channel serves on.
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { clientHandshake, memoryChannel, serveJobs, type PackReceiver, type ServerOffer } from '@sshcc/protocol';
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
