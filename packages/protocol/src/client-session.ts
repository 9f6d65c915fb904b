import { SshccError } from '@sshcc/core';
import { loadDataCodec, type DataCodec } from './compress';
import { checkOutgoing } from './check-outgoing';
import { ClientJob, DEFAULT_JOB_DEADLINES, type JobDeadlines, type JobResult, type JobStage } from './client-job';
import { cacheKey } from './cache/cache-key';
import type { ByteSource } from './data-chunks';
import { FrameConnection, toFrameIo, type FrameStream } from './frame-connection';
import { exchangeClientHello } from './handshake';
import { SOURCE_FOLLOWS_MAX_WIRE_BYTES } from './limits';
import { JobRequestSchema, type Compression, type JobRequest, type ServerHello } from './messages';
import { SourceFrames } from './source-frames';
import type { PackManifest } from './pack-manifest';
import { pushPack, type PushOutcome } from './client-push';

export interface ClientOptions {
  /** Preferred data compression; 'none' for a host with `,nozstd`. Default 'zstd'. */
  readonly compression?: Compression;
  /** Names this client in its hello (e.g. `sshcc/0.1.0`). */
  readonly client?: string;
  /** The agent's id, the same on all its channels: a volunteer shares its slots fairly between such ids. */
  readonly agent?: string;
  /** How long a job waits on a silent server before it fails with 'timeout'; default RESULT_GRACE_MS and STALL_MS. */
  readonly deadlines?: Partial<JobDeadlines>;
}

/** A job as the caller describes it; the session numbers it and decides the cache fields. */
export type JobSpec = Omit<JobRequest, 'id' | 'cacheKey' | 'sourceFollows' | 'cacheAtEnd' | 'compressLevel'>;

export interface RunJobOptions {
  /** Aborting cancels the job on the server (its compiler is killed); runJob rejects at once. */
  readonly signal?: AbortSignal;
  /** Told when the whole source has gone up and when the result arrives (a live monitor's states). */
  readonly onStage?: (stage: JobStage) => void;
  /**
   * The job's result cache key (cacheKey(job, source)), for a caller that has it already; null: no
   * cache for this job (no lookup, no store). Absent: computed here when the source is a whole buffer;
   * for a streamed source, worked out by the server once it has ended (`cacheAtEnd`). Used only with a
   * server whose hello offers a cache.
   */
  readonly cacheKey?: string | null;
  /**
   * true (default): a whole source past SOURCE_FOLLOWS_MAX_WIRE_BYTES waits for the server's `need`,
   * so a hit costs no upload and a miss one more round trip. false, for a caller that has just missed in
   * a cache of its own and so expects a miss here too: it follows the request at once.
   */
  readonly holdSourceForLookup?: boolean;
  /**
   * The zstd level of this job's data frames, the source up and (asked of the server) the outputs down;
   * 0: stored frames, no compressing. Absent: ZSTD_LEVEL. Ignored when the channel is not compressed.
   */
  readonly level?: number;
}

export interface ClientSession {
  readonly hello: ServerHello;
  readonly protocol: number;
  readonly compression: Compression;
  /**
   * Runs one job: sends the request and the source (streamed as it is read), returns the result and
   * the outputs. A failed compile is a result (kind 'compiled', non-zero exit code); rejects with an
   * SshccError for a broken channel ('protocol', 'remote-crash') or the source being too large
   * ('limit-exceeded'), with the source's own error, or with the abort reason.
   */
  runJob(job: JobSpec, source: ByteSource, options?: RunJobOptions): Promise<JobResult>;
  /**
   * Offers a toolchain pack and sends what the server lacks (`archiveOf` makes that archive). A refused
   * or failed store is an outcome with `ok: false`; rejects only for a broken channel.
   */
  pushPack(manifest: PackManifest, archiveOf: (wanted: readonly string[]) => AsyncIterable<Uint8Array>): Promise<PushOutcome>;
  /** Ends the channel (the server exits and kills any running compile); resolves once it closed. */
  close(): Promise<void>;
}

/** Waiting this long for the server to close its side after close() before destroying the stream. */
const CLOSE_WAIT_MS = 2000;

/** Reads the server's hello and answers it; the session then runs jobs one at a time. */
export async function clientHandshake(stream: FrameStream, options: ClientOptions = {}): Promise<ClientSession> {
  const conn = new FrameConnection(toFrameIo(stream), 'client');
  try {
    const agreed = await exchangeClientHello(conn, options.compression ?? 'zstd', options.client ?? 'sshcc', options.agent);
    const codec = await loadDataCodec(agreed.compression);
    return new Session(conn, codec, agreed.hello, agreed.protocol, { ...DEFAULT_JOB_DEADLINES, ...options.deadlines });
  } catch (err) {
    throw conn.abandon(err);
  }
}

class Session implements ClientSession {
  readonly compression: Compression;
  private lastId = 0;
  private running = false;
  private closed = false;
  /** Settles when the previous job's response has been read to its end (it may outlive an abort). */
  private drained: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: FrameConnection,
    private readonly codec: DataCodec,
    readonly hello: ServerHello,
    readonly protocol: number,
    private readonly deadlines: JobDeadlines,
  ) {
    this.compression = codec.name;
  }

  async runJob(job: JobSpec, source: ByteSource, options: RunJobOptions = {}): Promise<JobResult> {
    if (this.closed) throw new SshccError('internal', 'runJob on a closed sshcc session');
    if (this.running) throw new SshccError('internal', 'runJob while another job runs on this channel');
    this.running = true;
    try {
      await this.drained;
      if (this.conn.failed) throw this.conn.failed;
      options.signal?.throwIfAborted();
      const frames = new SourceFrames(source, this.codec, options.level);
      const key = this.cacheKeyOf(job, source, options.cacheKey);
      // A lookup that hits needs no source; one that misses costs a round trip for `need`, unless the
      // source came right behind the request. Only a small source is sent on the chance of a miss.
      const sourceFollows =
        key === null || !(source instanceof Uint8Array) || options.holdSourceForLookup === false || (await frames.prime(SOURCE_FOLLOWS_MAX_WIRE_BYTES));
      // A small whole source is compressed before the request goes, so all of it leaves in one write.
      if (sourceFollows && source instanceof Uint8Array) await frames.prime(SOURCE_FOLLOWS_MAX_WIRE_BYTES);
      const { cacheKey: _key, sourceFollows: _follows, cacheAtEnd: _atEnd, compressLevel: _level, ...fields } = job as JobRequest;
      // A stream's key is only known at its end: the server works it out from what came.
      const atEnd = key === null && options.cacheKey === undefined && this.hello.cache === true && !(source instanceof Uint8Array);
      const cacheFields = key !== null ? { cacheKey: key, sourceFollows } : atEnd ? { cacheAtEnd: true as const } : {};
      const level = options.level !== undefined && this.codec.name === 'zstd' ? { compressLevel: options.level } : {};
      const request = checkOutgoing('job', JobRequestSchema, { ...fields, ...cacheFields, ...level, id: this.lastId + 1 });
      this.lastId = request.id;
      const exchange = new ClientJob(this.conn, this.codec, request, frames, options.onStage, this.deadlines);
      const work = exchange.run().catch((err: unknown) => {
        // A broken channel stays broken; the caller's source error or a size limit leave it usable.
        if (isChannelError(err)) this.conn.abandon(err);
        throw err;
      });
      this.drained = work.then(
        () => undefined,
        () => undefined,
      );
      return await untilAborted(work, options.signal, () => exchange.cancel());
    } finally {
      this.running = false;
    }
  }

  async pushPack(manifest: PackManifest, archiveOf: (wanted: readonly string[]) => AsyncIterable<Uint8Array>): Promise<PushOutcome> {
    if (this.closed) throw new SshccError('internal', 'pushPack on a closed sshcc session');
    if (this.running) throw new SshccError('internal', 'pushPack while a job runs on this channel');
    this.running = true;
    try {
      await this.drained;
      if (this.conn.failed) throw this.conn.failed;
      this.lastId++;
      return await pushPack(this.conn, this.lastId, manifest, archiveOf);
    } catch (err) {
      throw this.conn.abandon(err);
    } finally {
      this.running = false;
    }
  }

  private cacheKeyOf(job: JobSpec, source: ByteSource, given: string | null | undefined): string | null {
    if (this.hello.cache !== true) return null;
    if (given !== undefined) return given;
    return source instanceof Uint8Array ? cacheKey(job, source) : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const input = this.conn.io.input;
    const ended = new Promise<void>((resolve) => {
      if (input.readableEnded || input.destroyed) return resolve();
      input.once('end', resolve);
      input.once('close', resolve);
      // The reader paused a failed connection; reading on lets 'end' arrive.
      input.resume();
    });
    this.conn.endOutput();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), CLOSE_WAIT_MS)));
    if (await Promise.race([ended.then(() => false), timedOut])) input.destroy();
    clearTimeout(timer);
  }
}

function isChannelError(err: unknown): boolean {
  return err instanceof SshccError && (err.code === 'protocol' || err.code === 'remote-crash' || err.code === 'timeout');
}

/** `work`, or a rejection with the abort reason the moment `signal` aborts (after calling onAbort). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
