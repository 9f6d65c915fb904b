import { checkOutgoing } from './check-outgoing';
import { dataChunks } from './data-chunks';
import { decodeControl } from './decode-control';
import type { FrameConnection } from './frame-connection';
import { PackedSchema, PackOfferSchema, PackWantSchema, type PackManifest } from './pack-manifest';
import { ProtocolError } from './protocol-error';

/** How a push went: the server's word, and what crossed the channel for it. */
export interface PushOutcome {
  readonly ok: boolean;
  readonly message: string;
  /** The contents (sha256) the server lacked and was sent. */
  readonly sent: readonly string[];
  /** Archive bytes on the wire (compressed). */
  readonly wireBytes: number;
}

/**
 * Offers a pack, then streams the archive of what the server wants (`archiveOf` makes it: a
 * compressed tar of those contents, named by sha256) and reads the server's verdict.
 */
export async function pushPack(
  conn: FrameConnection,
  id: number,
  manifest: PackManifest,
  archiveOf: (wanted: readonly string[]) => AsyncIterable<Uint8Array>,
): Promise<PushOutcome> {
  await conn.sendControl('pack', checkOutgoing('pack', PackOfferSchema, { id, manifest }));
  const first = await conn.next();
  if (!first) throw new ProtocolError('channel closed during a pack push');
  if (first.type === 'packed') return { ...verdict(first.payload, id), sent: [], wireBytes: 0 };
  if (first.type !== 'want') throw new ProtocolError(`expected a want frame during a pack push, got ${first.type}`);
  const want = decodeControl('want', PackWantSchema, first.payload);
  if (want.id !== id) throw new ProtocolError(`want names push ${want.id}, not ${id}`);
  const known = new Set(manifest.files.map((file) => file.sha256));
  const stray = want.files.find((hash) => !known.has(hash));
  if (stray !== undefined) throw new ProtocolError(`the server wants ${stray}, which is no file of the pack`);
  let wireBytes = 0;
  if (want.files.length > 0) {
    for await (const chunk of dataChunks(archiveOf(want.files))) {
      wireBytes += chunk.length;
      await conn.send('data', chunk);
    }
    await conn.sendControl('end', { id, bytes: wireBytes });
  }
  const done = await conn.expect('packed', 'a pack push');
  return { ...verdict(done.payload, id), sent: want.files, wireBytes };
}

function verdict(payload: Buffer, id: number): { ok: boolean; message: string } {
  const packed = decodeControl('packed', PackedSchema, payload);
  if (packed.id !== id) throw new ProtocolError(`packed names push ${packed.id}, not ${id}`);
  return { ok: packed.ok, message: packed.message };
}
