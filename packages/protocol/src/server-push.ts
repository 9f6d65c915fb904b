import { PassThrough, type Readable } from 'node:stream';
import type { FrameConnection } from './frame-connection';
import { MAX_DATA_FRAME_BYTES } from './limits';
import { MAX_PACK_BYTES, type PackManifest, type PackOffer } from './pack-manifest';
import { ProtocolError } from './protocol-error';

/** The server's store of toolchain packs, as the protocol needs it. */
export interface PackReceiver {
  /** The contents (sha256) of the manifest's files that the server holds in none of its packs, each once. */
  wanted(manifest: PackManifest): Promise<string[]>;
  /**
   * Stores the pack: `archive` is the compressed tar of the wanted contents, each entry named by its
   * sha256. Resolves with what to tell the client; a refusal or a full disk is an answer, not a throw.
   */
  receive(manifest: PackManifest, wanted: readonly string[], archive: Readable): Promise<{ ok: boolean; message: string }>;
}

/** Archive bytes buffered ahead of the store before the frame loop waits for it. */
const ARCHIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * One pack push on the server: the offer is answered with `want` (or a refusal), the archive arrives
 * as raw data frames (it is compressed already) until `end`, and `packed` says how storing it went.
 * The archive's size is bounded by the manifest's: a peer cannot make the server take more.
 */
export class ServerPush {
  readonly id: number;
  readonly settled: Promise<void>;
  private readonly archive = new PassThrough({ highWaterMark: ARCHIVE_BUFFER_BYTES });
  private archiveOpen = false;
  private received = 0;
  private maxBytes = 0;
  private wakeWriter: (() => void) | null = null;
  /** The store has answered: archive data still on the way is counted and dropped, not written. */
  private storeDone = false;
  /** Settles at the client's `end` (or the channel's loss): the push's answer waits for the whole archive. */
  private readonly archiveEnded: Promise<void>;
  private endArchive: () => void = () => undefined;

  constructor(
    offer: PackOffer,
    private readonly conn: FrameConnection,
    receiver: PackReceiver | null,
    private readonly onOver: () => void,
  ) {
    this.id = offer.id;
    this.archive.on('error', () => undefined);
    this.archiveEnded = new Promise((resolve) => (this.endArchive = resolve));
    this.settled = this.run(offer.manifest, receiver).finally(() => this.onOver());
  }

  async onData(payload: Buffer): Promise<void> {
    if (!this.archiveOpen) throw new ProtocolError(`data frame for pack push ${this.id} before or after its archive`);
    this.received += payload.length;
    if (this.received > this.maxBytes) throw new ProtocolError(`pack push ${this.id} sent more archive than its files could take`);
    // A store that gave up early (a bad entry, a full disk) reads no more: a write would wait for a drain
    // that never comes, and with the frame loop stalled the server would exit, the push unanswered.
    if (this.storeDone || this.archive.destroyed) return;
    if (this.archive.write(payload)) return;
    await new Promise<void>((resolve) => {
      this.wakeWriter = resolve;
      this.archive.once('drain', resolve).once('close', resolve);
    });
    this.wakeWriter = null;
  }

  onEnd(bytes: number): void {
    if (!this.archiveOpen) throw new ProtocolError(`end of pack push ${this.id}, whose archive is not open`);
    if (bytes !== this.received) throw new ProtocolError(`pack push ${this.id} ended at ${bytes} bytes but sent ${this.received}`);
    this.archiveOpen = false;
    this.archive.end();
    this.endArchive();
  }

  onChannelGone(reason: string): void {
    this.archiveOpen = false;
    // After the client's `end` the whole archive is here: a client that closes without waiting for
    // `packed` still gets its pack stored (and the store's real verdict logged), not "channel closed".
    if (!this.archive.writableEnded) this.archive.destroy(new Error(reason));
    this.wakeWriter?.();
    this.endArchive();
  }

  private async run(manifest: PackManifest, receiver: PackReceiver | null): Promise<void> {
    if (receiver === null) {
      await this.conn.sendControl('packed', { id: this.id, ok: false, message: 'this server takes no toolchain packs' });
      return;
    }
    let answer: { ok: boolean; message: string };
    try {
      const wanted = await receiver.wanted(manifest);
      const sizes = new Map(manifest.files.map((file) => [file.sha256, file.size]));
      const raw = wanted.reduce((sum, hash) => sum + (sizes.get(hash) ?? 0), 0);
      // Compressed data can be a little larger than raw (tar headers, an incompressible file); never 2×.
      this.maxBytes = Math.min(MAX_PACK_BYTES, 2 * raw + 1024 * 1024 + MAX_DATA_FRAME_BYTES);
      this.archiveOpen = wanted.length > 0;
      if (!this.archiveOpen) this.archive.end();
      await this.conn.sendControl('want', { id: this.id, files: wanted });
      answer = await receiver.receive(manifest, wanted, this.archive);
    } catch (err) {
      answer = { ok: false, message: (err as Error).message };
    }
    // A store that gave up early (a bad entry, a full disk) leaves the rest of the archive to be read and
    // dropped: `packed` must not cross data frames still on the wire.
    this.storeDone = true;
    this.wakeWriter?.();
    if (this.archiveOpen) await this.archiveEnded;
    // The client may have closed its side after `end` and still read ours; if ours is gone too, the send
    // fails, and the server ends with its own reason rather than that one.
    await this.conn
      .sendControl('packed', { id: this.id, ok: answer.ok, message: answer.message.replace(/\s+/g, ' ').slice(0, 2000) })
      .catch(() => undefined);
  }
}
