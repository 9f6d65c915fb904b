import { PassThrough, type Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { DataCodec } from './compress';
import { dataChunks } from './data-chunks';
import type { FrameConnection } from './frame-connection';
import { DATA_CHUNK_BYTES, MAX_DIAGNOSTIC_BYTES, MAX_JOB_SOURCE_BYTES, MAX_OUTPUT_BYTES, MAX_OUTPUT_FILES } from './limits';
import type { Capacity, CompilerFingerprint, JobOutcome, JobRequest, ResultMessage } from './messages';
import { packOutputs, type OutputFile } from './output-archive';
import { ProtocolError } from './protocol-error';

/** What the server's handler is given for one job. */
export interface IncomingJob {
  readonly request: JobRequest;
  /** The agent's id from the channel's hello (its jobs share the volunteer's slots as one client); null: it sent none. */
  readonly client: string | null;
  /** The raw source as it arrives; ends at the client's end frame, is destroyed on cancel. */
  readonly source: Readable;
  /** Aborted when the client cancels, the channel closes or the server shuts down: kill the compiler. */
  readonly signal: AbortSignal;
  /**
   * Asks a client that held its source back (`request.sourceFollows` false, for a cache lookup) to
   * send it: call once the lookup missed, before reading `source`. A no-op when the source follows anyway.
   */
  needSource(): void;
}

/** The handler's answer. It may come before the source has ended (a refusal needs no source). */
export interface JobReply {
  readonly kind: JobOutcome;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly stdout?: Buffer;
  readonly stderr?: Buffer;
  readonly message?: string;
  readonly compileMs?: number;
  /** The answer came from the result cache (no compiler ran). */
  readonly cached?: boolean;
  /** The compiler that ran is another build of the client's release, this one (see ResultSchema). */
  readonly releaseMatch?: CompilerFingerprint;
  /** The compile ran in a mirror of every file of the source (see ResultSchema). */
  readonly mirrored?: boolean;
  /** Time the job waited for one of the volunteer's slots. */
  readonly slotWaitMs?: number;
  /** The volunteer's slots as the job left them. */
  readonly capacity?: Capacity;
  /** Files to send, named as the request named them; read while they are sent. */
  readonly outputs?: readonly OutputFile[];
  /** Runs once the outputs have been read (or the job ended otherwise): remove the job dir here. */
  readonly release?: () => Promise<void>;
}

export type JobHandler = (job: IncomingJob) => Promise<JobReply>;

/** Source bytes buffered for a handler that is not reading yet before the frame loop waits. */
const SOURCE_BUFFER_BYTES = 1024 * 1024;

/**
 * One job on the server: the request stream coming in (data frames until end or cancel) and the
 * reply going out (result, data frames, end). It is over when both are, and only then may the next
 * job start on this channel.
 */
export class ServerJob {
  readonly id: number;
  /** Settles when the handler has finished and its job dir is released. */
  readonly settled: Promise<void>;
  private readonly source = new PassThrough({ highWaterMark: SOURCE_BUFFER_BYTES });
  private readonly controller = new AbortController();
  private readonly startedAt = performance.now();
  private receiveMs: number | null = null;
  private received = 0;
  private requestOpen = true;
  /** The handler answered before the source ended: further source is read and dropped. */
  private discarding = false;
  private replyStarted = false;
  private replyDone = false;
  private cancelled = false;
  private overLimit = false;
  private channelGone = false;
  private handlerDone = false;
  private wakeWriter: (() => void) | null = null;
  /** The client holds its source back until `need` is sent. */
  private sourceHeld: boolean;

  constructor(
    private readonly request: JobRequest,
    private readonly conn: FrameConnection,
    private readonly codec: DataCodec,
    handler: JobHandler,
    private readonly onOver: () => void,
    /** Whether this server's hello offered a cache; a handler that never looked anything up asks at once. */
    cacheOffered = false,
    client: string | null = null,
  ) {
    this.id = request.id;
    // Nobody may be reading the source when it is destroyed; its error must not go unhandled.
    this.source.on('error', () => undefined);
    this.sourceHeld = request.sourceFollows === false;
    if (this.sourceHeld && !cacheOffered) this.needSource();
    if (request.sourceBytes !== null && request.sourceBytes > MAX_JOB_SOURCE_BYTES) {
      this.overLimit = true;
      this.settled = this.finishHandler(Promise.resolve({ kind: 'limit' }));
    } else {
      const job: IncomingJob = { request, client, source: this.source, signal: this.controller.signal, needSource: () => this.needSource() };
      this.settled = this.finishHandler(Promise.resolve().then(() => handler(job)));
    }
  }

  get isOver(): boolean {
    return !this.requestOpen && this.replyDone;
  }

  private needSource(): void {
    if (!this.sourceHeld || this.replyStarted || !this.requestOpen || this.channelGone) return;
    this.sourceHeld = false;
    this.conn.sendControl('need', { id: this.id }).catch(() => undefined);
  }

  async onData(payload: Buffer): Promise<void> {
    if (!this.requestOpen) throw new ProtocolError(`data frame for job ${this.id} after its source ended`);
    if (this.sourceHeld) throw new ProtocolError(`data frame for job ${this.id} before the server asked for its source`);
    if (this.discarding) return;
    const chunk = this.codec.decode(payload, DATA_CHUNK_BYTES);
    this.received += chunk.length;
    const declared = this.request.sourceBytes;
    if (declared !== null && this.received > declared) {
      throw new ProtocolError(`job ${this.id} sent more than the ${declared} source bytes it declared`);
    }
    if (this.received > MAX_JOB_SOURCE_BYTES) {
      this.overLimit = true;
      this.stopHandler('source over the limit');
      return;
    }
    if (this.source.write(chunk)) return;
    // Wait for the handler to catch up, unless it answers or is stopped meanwhile.
    await new Promise<void>((resolve) => {
      this.wakeWriter = resolve;
      this.source.once('drain', resolve);
    });
    this.wakeWriter = null;
  }

  onEnd(bytes: number): void {
    if (!this.requestOpen) throw new ProtocolError(`second end of the source of job ${this.id}`);
    if (this.sourceHeld) throw new ProtocolError(`end of job ${this.id} before the server asked for its source`);
    if (!this.discarding && bytes !== this.received) {
      throw new ProtocolError(`job ${this.id} ended its source at ${bytes} bytes but sent ${this.received}`);
    }
    const declared = this.request.sourceBytes;
    if (declared !== null && bytes !== declared && !this.overLimit) {
      throw new ProtocolError(`job ${this.id} declared ${declared} source bytes but sent ${bytes}`);
    }
    this.requestOpen = false;
    this.receiveMs = performance.now() - this.startedAt;
    this.source.end();
    this.checkOver();
  }

  onCancel(): void {
    this.requestOpen = false;
    if (!this.replyStarted) {
      this.cancelled = true;
      this.stopHandler('cancelled by the client');
    }
    this.checkOver();
  }

  /** The channel closed or the server is shutting down: stop the job, send nothing more. */
  onChannelGone(reason: string): void {
    this.channelGone = true;
    this.stopHandler(reason);
  }

  private stopHandler(reason: string): void {
    this.discarding = true;
    this.controller.abort(new Error(reason));
    this.source.destroy(new Error(reason));
    this.wakeWriter?.();
  }

  private async finishHandler(replying: Promise<JobReply>): Promise<void> {
    let reply: JobReply;
    try {
      reply = await replying;
    } catch (err) {
      reply = { kind: 'remote-failed', message: `sshcc-server failed: ${(err as Error).message}` };
    }
    reply = { ...reply, release: releaseOnce(reply.release) };
    this.handlerDone = true;
    if (this.requestOpen) this.discarding = true;
    this.wakeWriter?.();
    try {
      if (this.channelGone) return;
      if (this.cancelled) reply = { kind: 'cancelled', message: 'cancelled by the client', release: reply.release };
      else if (this.overLimit) {
        reply = { kind: 'limit', message: `source exceeds ${MAX_JOB_SOURCE_BYTES} bytes`, release: reply.release };
      }
      await this.sendReply(checkReply(reply, this.request));
    } catch (err) {
      this.conn.abandon(new ProtocolError(`could not send the reply to job ${this.id}: ${(err as Error).message}`));
    } finally {
      await reply.release?.().catch(() => undefined);
    }
  }

  private async sendReply(reply: JobReply): Promise<void> {
    this.replyStarted = true;
    const result: ResultMessage = {
      id: this.id,
      kind: reply.kind,
      exitCode: reply.kind === 'compiled' ? (reply.exitCode ?? null) : null,
      signal: reply.kind === 'compiled' ? (reply.signal ?? null) : null,
      stdout: (reply.stdout ?? Buffer.alloc(0)).toString('base64'),
      stderr: (reply.stderr ?? Buffer.alloc(0)).toString('base64'),
      message: (reply.message ?? '').replace(/\s+/g, ' ').slice(0, 2000),
      cached: reply.kind === 'compiled' && reply.cached === true,
      ...(reply.kind === 'compiled' && reply.releaseMatch !== undefined ? { releaseMatch: reply.releaseMatch } : {}),
      ...(reply.kind === 'compiled' && reply.mirrored === true ? { mirrored: true } : {}),
      ...(reply.capacity === undefined ? {} : { capacity: reply.capacity }),
      timings: {
        receiveMs: round(this.receiveMs ?? performance.now() - this.startedAt),
        compileMs: round(reply.compileMs ?? 0),
        totalMs: round(performance.now() - this.startedAt),
        ...(reply.slotWaitMs === undefined ? {} : { slotWaitMs: round(reply.slotWaitMs) }),
      },
    };
    // The result and small outputs go out in one write (a large archive is written as it is read).
    this.conn.cork();
    let bytes = 0;
    try {
      await this.conn.sendControl('result', result);
      if (reply.outputs && reply.outputs.length > 0) {
        for await (const chunk of dataChunks(packOutputs(reply.outputs))) {
          bytes += chunk.length;
          await this.conn.send('data', this.codec.encode(chunk, this.request.compressLevel));
        }
      }
    } finally {
      this.conn.uncork();
    }
    // The outputs are read: the job dir can go before the client hears the job is over.
    await reply.release?.().catch(() => undefined);
    this.replyDone = true;
    this.checkOver();
    await this.conn.sendControl('end', { id: this.id, bytes });
  }

  private checkOver(): void {
    if (this.isOver && this.handlerDone) this.onOver();
  }
}

/**
 * The sender keeps the limits too: diagnostics, output count and size over the limit turn the reply
 * into kind 'limit'; an output the request did not name is the handler's bug.
 */
function checkReply(reply: JobReply, request: JobRequest): JobReply {
  const release = reply.release;
  const outputs = reply.outputs ?? [];
  const named = new Set([request.output, ...request.extraOutputs]);
  const stray = outputs.find((file) => !named.has(file.name));
  if (stray) return { kind: 'remote-failed', message: `output "${stray.name}" was not requested`, release };
  const diagnostics = Math.max(reply.stdout?.length ?? 0, reply.stderr?.length ?? 0);
  if (diagnostics > MAX_DIAGNOSTIC_BYTES) {
    return { kind: 'limit', message: `compiler output exceeds ${MAX_DIAGNOSTIC_BYTES} bytes`, release };
  }
  const total = outputs.reduce((sum, file) => sum + file.size, 0);
  if (outputs.length > MAX_OUTPUT_FILES || total > MAX_OUTPUT_BYTES) {
    return { kind: 'limit', message: `outputs exceed ${MAX_OUTPUT_BYTES} bytes`, release };
  }
  return reply;
}

function releaseOnce(release: (() => Promise<void>) | undefined): (() => Promise<void>) | undefined {
  if (!release) return undefined;
  let running: Promise<void> | null = null;
  return () => (running ??= release());
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
