// A hostile pack push, frame by frame, against the BUILT sshcc-server and its real PackStore: a manifest
// whose paths leave the pack is a protocol error before anything is written; an archive that lies about
// its entries is answered `packed {ok:false}`; either way the packs the volunteer already holds stay as
// they were. The client driver (pushPack) would never send these, so the frames are written by hand.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrameReader, encodeFrame, packIdOf, PackManifestSchema, type FrameType, type PackManifest } from '@sshcc/protocol';
import { packArchive, PackStore } from '@sshcc/store';
import { cleanUp, startServer, testRoot, type TestServer } from './test-server';

afterEach(cleanUp);

const control = (type: FrameType, value: unknown): Buffer => encodeFrame(type, Buffer.from(JSON.stringify(value)));
const CLIENT_HELLO = control('hello', { protocol: 1, compression: 'none', client: 'raw-test' });
const FINGERPRINT = { version: 'test 1.0', target: 'x86_64-linux-gnu', driver: 'a'.repeat(64), cc1: null, cc1plus: null };
const LOADER = Buffer.from('loader shared by both packs');

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A manifest of `files` (path → contents), not validated: hostile ones are the point. */
function manifestOf(files: Record<string, Buffer>): PackManifest {
  const list = Object.entries(files).map(([path, data]) => ({ path, sha256: sha(data), size: data.length, executable: true }));
  return { format: 1, fingerprint: FINGERPRINT, arch: process.arch, loader: 'lib/ld-test.so', driver: 'bin/cc', programs: 'libexec', libraries: 'lib', files: list };
}

/** The brotli tar the agent would send: `entries` by name (a hostile name need not be its content's hash). */
async function archiveOf(entries: ReadonlyMap<string, Buffer>): Promise<Buffer> {
  const stream = packArchive(new Map([...entries].map(([name, data]) => [name, () => Promise.resolve(data)])), 1024);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Volunteer {
  readonly server: TestServer;
  readonly toolchains: string;
  /** Every file under the toolchains dir with its sha256: what "untouched" is compared against. */
  readonly snapshot: () => Record<string, string>;
}

/** A server whose store already holds one good pack, pushed through the store itself. */
async function volunteerWithPack(): Promise<Volunteer> {
  const root = testRoot();
  const toolchains = join(root, 'cache', 'sshcc', 'toolchains');
  const store = new PackStore({ dir: toolchains, maxBytes: 1024 * 1024 });
  const files = { 'bin/cc': Buffer.from('the good driver'), 'lib/ld-test.so': LOADER };
  const manifest = PackManifestSchema.parse(manifestOf(files));
  const answer = await store.receive(manifest, await store.wanted(manifest), packArchive(new Map(Object.values(files).map((data) => [sha(data), () => Promise.resolve(data)])), 1024));
  expect(answer.ok).toBe(true);
  expect(readdirSync(toolchains)).toEqual([packIdOf(manifest)]);
  const snapshot = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const entry of readdirSync(toolchains, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      out[path.slice(toolchains.length + 1)] = entry.isFile() ? sha(readFileSync(path)) : 'dir';
    }
    return out;
  };
  return { server: startServer(root), toolchains, snapshot };
}

/** Frames from the server until it closes, each `type` or `error: <message>`; `packed` with its verdict. */
async function rest(reader: FrameReader): Promise<string[]> {
  const frames: string[] = [];
  for (let frame = await reader.next(); frame; frame = await reader.next()) {
    const payload = frame.type === 'data' ? null : (JSON.parse(frame.payload.toString()) as { message?: string; ok?: boolean });
    if (frame.type === 'error') frames.push(`error: ${payload?.message}`);
    else if (frame.type === 'packed') frames.push(`packed ok=${payload?.ok}: ${payload?.message}`);
    else frames.push(frame.type);
  }
  return frames;
}

describe('a hostile pack push', () => {
  it.each([
    ['a path that climbs out of the pack', 'lib/../../../.ssh/authorized_keys'],
    ['an absolute path', '/etc/cron.d/sshcc'],
  ])('with %s is a one-line protocol error before anything is written', async (_what, path) => {
    const volunteer = await volunteerWithPack();
    const before = volunteer.snapshot();
    const reader = new FrameReader(volunteer.server.child.stdout, 'client');
    expect((await reader.next())?.type).toBe('hello');
    const manifest = manifestOf({ 'bin/cc': Buffer.from('driver'), 'lib/ld-test.so': LOADER, [path]: Buffer.from('ssh-ed25519 AAAA intruder') });
    volunteer.server.child.stdin.write(Buffer.concat([CLIENT_HELLO, control('pack', { id: 1, manifest })]));
    const frames = await rest(reader);
    expect(frames).toEqual([expect.stringMatching(/^error: invalid pack message: manifest\.files\.2\.path: not a plain relative path inside the pack$/)]);
    expect((await volunteer.server.exited).code).toBe(113);
    expect(volunteer.snapshot()).toEqual(before);
  });

  it.each([
    // Same size, other bytes: the header passes, the hash does not.
    ['an entry that does not hash to its name', (wanted: Map<string, Buffer>) => new Map([...wanted].map(([name, data]) => [name, Buffer.from(data.toString().toUpperCase())])), /archive entry [0-9a-f]{12} does not hash to its name/],
    ['an entry it did not ask for', (wanted: Map<string, Buffer>) => new Map([...wanted, [sha(LOADER), LOADER]]), /archive entry "[0-9a-f]{64}" is not a wanted file of the pack/],
  ])('carrying %s is answered packed {ok:false} in one line, and the packs held stay untouched', async (_what, tamper, why) => {
    const volunteer = await volunteerWithPack();
    const before = volunteer.snapshot();
    const reader = new FrameReader(volunteer.server.child.stdout, 'client');
    expect((await reader.next())?.type).toBe('hello');
    const driver = Buffer.from('a new driver');
    const manifest = manifestOf({ 'bin/cc': driver, 'lib/ld-test.so': LOADER });
    volunteer.server.child.stdin.write(Buffer.concat([CLIENT_HELLO, control('pack', { id: 1, manifest })]));
    const want = await reader.next();
    expect(want?.type).toBe('want');
    // The loader is held already: only the driver is asked for.
    expect(JSON.parse((want as { payload: Buffer }).payload.toString())).toEqual({ id: 1, files: [sha(driver)] });
    const archive = await archiveOf(tamper(new Map([[sha(driver), driver]])));
    volunteer.server.child.stdin.write(Buffer.concat([encodeFrame('data', archive), control('end', { id: 1, bytes: archive.length })]));
    volunteer.server.child.stdin.end();
    const frames = await rest(reader);
    expect(frames).toEqual([expect.stringMatching(/^packed ok=false: pack [0-9a-f]{12} refused: [^\n]+$/)]);
    expect(frames[0]).toMatch(why);
    expect((await volunteer.server.exited).code).toBe(0);
    expect(volunteer.snapshot()).toEqual(before);
    expect(volunteer.server.stderr()).toBe('');
  });
});
