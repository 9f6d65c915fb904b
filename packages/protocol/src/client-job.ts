import { SshccError } from '@sshcc/core';
import type { DataCodec } from './compress';
import { decodeControl } from './decode-control';
import type { FrameConnection } from './frame-connection';
import type { Frame } from './frame-reader';
import { DATA_CHUNK_BYTES, MAX_JOB_SOURCE_BYTES, MAX_OUTPUT_ARCHIVE_BYTES, RESULT_GRACE_MS, STALL_MS } from './limits';
import { EndSchema, NeedSchema, ResultSchema, type Capacity, type CompilerFingerprint, type JobOutcome, type JobRequest, type JobTimings } from './messages';
import { OutputUnpacker } from './output-archive';
import { ProtocolError } from './protocol-error';
import type { SourceFrames } from './source-frames';

/** A job's answer as the client sees it: the result message decoded, plus the output files. */
export interface JobResult {
  readonly id: number;
  readonly kind: JobOutcome;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly message: string;
  readonly timings: JobTimings;
  /** The server answered from its result cache: no compiler ran, no source was needed. */
  readonly cached: boolean;
  /** Another build of the client's release compiled it (the job asked `match: 'release'`): its fingerprint; null: the client's own build. */
  readonly releaseMatch: CompilerFingerprint | null;
  /** The server compiled in a mirror of the source's files: its diagnostics are the client's compile's (ResultSchema). */
  readonly mirrored: boolean;
  /** The volunteer's slots as the job left them (every client's jobs); null: an older server. */
  readonly capacity: Capacity | null;
  /** Output files by the names the request gave them; empty unless the compiler wrote some. */
  readonly outputs: Map<string, Buffer>;
  /** What crossed the channel, and when, as this end saw it (for stats and traces). */
  readonly transfer: JobTransfer;
}

/** Byte counts and client-side times of one job. The server's own split is in `timings`. */
export interface JobTransfer {
  /** Source bytes sent, before compression. */
  readonly sentBytes: number;
  /** The same as data frame payloads: after compression (equal when it is off). */
  readonly sentWireBytes: number;
  /** Output archive bytes received, after decompression. */
  readonly receivedBytes: number;
  readonly receivedWireBytes: number;
  /** Milliseconds from the job request until the source's end was sent; null if the answer came first. */
  readonly sentMs: number | null;
  /** ... until the result message arrived (the compile is over). */
  readonly answeredMs: number;
  /** ... until the outputs were read to their end. */
  readonly doneMs: number;
}

/** The moments of a job a live monitor shows: the whole source sent, the result in. */
export type JobStage = 'sent' | 'answered';

/** How long a job may wait on the server before the client gives up on it (tests shorten them). */
export interface JobDeadlines {
  /** Past the job's time limit, counted from the end of the source, for the result. */
  readonly resultGraceMs: number;
  /** For the channel to move while the source goes up or the outputs come down. */
  readonly stallMs: number;
}

export const DEFAULT_JOB_DEADLINES: JobDeadlines = { resultGraceMs: RESULT_GRACE_MS, stallMs: STALL_MS };

/**
 * One job on the client: the source goes up as it is read while the response is read, because the
 * server may answer before the source has ended (a refusal). The request is always closed by exactly
 * one end or one cancel, and the response is read to its end, so the channel is ready for the next job.
 */
export class ClientJob {
  private endSent = false;
  private cancelSent = false;
  private answered = false;
  private sourceError: unknown = null;
  private limitError: SshccError | null = null;
  private startedAt = 0;
  private sentBytes = 0;
  private sentWireBytes = 0;
  private sentMs: number | null = null;
  /** The one timer that bounds how long the job waits on the server, re-armed as it makes progress. */
  private watchdog: NodeJS.Timeout | undefined;
  private timedOut: SshccError | null = null;

  constructor(
    private readonly conn: FrameConnection,
    private readonly codec: DataCodec,
    private readonly request: JobRequest,
    private readonly source: SourceFrames,
    private readonly onStage: (stage: JobStage) => void = () => undefined,
    private readonly deadlines: JobDeadlines = DEFAULT_JOB_DEADLINES,
  ) {}

  async run(): Promise<JobResult> {
    this.startedAt = performance.now();
    try {
      this.arm(this.deadlines.stallMs, 'stalled while its request was sent');
      // A source all in hand goes out with its request and end in one write; one still coming
      // (cpp's pipe) must not hold the request back.
      const oneWrite = this.request.sourceFollows !== false && this.source.complete;
      if (oneWrite) this.conn.cork();
      await this.conn.sendControl('job', this.request);
      this.disarm();
      // Never rejects. Not awaited: a source that yields slowly must not hold up an early answer.
      if (this.request.sourceFollows !== false) void this.upload().finally(() => oneWrite && this.conn.uncork());
      // Held back for a cache lookup: the server answers it at once (a hit, or `need` on a miss).
      else this.arm(this.deadlines.stallMs, 'got no answer to its cache lookup');
      const result = await this.readResponse();
      // Answered before the whole source went up: close the request so the server stops draining it.
      if (!this.endSent) this.cancel();
      if (this.sourceError !== null) throw this.sourceError;
      if (this.limitError) throw this.limitError;
      return result;
    } catch (err) {
      throw this.timedOut ?? err;
    } finally {
      this.disarm();
    }
  }

  /**
   * (Re)starts the watchdog: if the job makes no further progress within `ms`, the server is stuck (or
   * hostile): the channel is dropped, and the job fails with a 'timeout' the agent retries elsewhere.
   */
  private arm(ms: number, what: string): void {
    this.disarm();
    if (this.timedOut) return;
    this.watchdog = setTimeout(() => {
      this.timedOut = new SshccError('timeout', `job ${this.request.id} ${what} (${Math.round(ms / 100) / 10} s)`, {
        hint: 'sshcc-server or its machine is stuck',
      });
      this.conn.abandon(this.timedOut);
    }, ms);
  }

  private disarm(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  /** Stops the job on the server (kills its compiler); the response is still read to its end. */
  cancel(): void {
    if (this.cancelSent) return;
    this.cancelSent = true;
    // A cancelled job is answered at once ('cancelled'); a server that does not is stuck.
    if (!this.answered) this.arm(this.deadlines.stallMs, 'was cancelled and got no answer');
    this.conn.sendControl('cancel', { id: this.request.id }).catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.cancelSent || this.answered;
  }

  private async upload(): Promise<void> {
    let bytes = 0;
    try {
      for await (const frame of this.source) {
        const { rawBytes } = frame;
        if (this.stopped) break;
        bytes += rawBytes;
        if (bytes > MAX_JOB_SOURCE_BYTES) {
          this.limitError = new SshccError('limit-exceeded', `source exceeds ${MAX_JOB_SOURCE_BYTES} bytes`);
          break;
        }
        const payload = frame.payload();
        // Only the channel is timed here: a source that is slow to come (a pipe from cpp) is ours to wait for.
        if (!this.answered) this.arm(this.deadlines.stallMs, 'stalled while its source was sent');
        await this.conn.send('data', payload);
        if (!this.answered) this.disarm();
        this.sentBytes += rawBytes;
        this.sentWireBytes += payload.length;
      }
    } catch (err) {
      if (this.conn.failed) return;
      this.sourceError = err;
    }
    if (this.conn.failed) return;
    // After an answer, a cancel, a source error or the limit the request is closed by a cancel.
    if (this.stopped || this.sourceError !== null || this.limitError) this.cancel();
    else {
      this.endSent = true;
      // The server's own limit runs from here (its compile starts once the source is in).
      const { timeLimitSeconds } = this.request;
      const graceSeconds = Math.round(this.deadlines.resultGraceMs / 100) / 10;
      if (!this.answered) this.arm(timeLimitSeconds * 1000 + this.deadlines.resultGraceMs, `got no answer within its ${timeLimitSeconds} s time limit and ${graceSeconds} s more`);
      await this.conn.sendControl('end', { id: this.request.id, bytes }).catch(() => undefined);
      if (!this.answered) {
        this.sentMs = this.sinceStart();
        this.report('sent');
      }
    }
  }

  private async readResponse(): Promise<JobResult> {
    const id = this.request.id;
    let first = await this.nextFrame();
    if (first.type === 'need') {
      const need = decodeControl('need', NeedSchema, first.payload);
      if (need.id !== id) throw new ProtocolError(`need of job ${need.id} while job ${id} runs`);
      if (this.request.sourceFollows !== false) throw new ProtocolError(`need of job ${id}, whose source was already on its way`);
      this.disarm();
      void this.upload();
      first = await this.nextFrame();
      if (first.type === 'need') throw new ProtocolError(`second need of job ${id}`);
    }
    if (first.type !== 'result') throw new ProtocolError(`expected the result of job ${id}, got a ${first.type} frame`);
    const result = decodeControl('result', ResultSchema, first.payload);
    if (result.id !== id) throw new ProtocolError(`result of job ${result.id} while job ${id} runs`);
    this.answered = true;
    this.source.stop();
    this.arm(this.deadlines.stallMs, 'stalled while its outputs came');
    const answeredMs = this.sinceStart();
    this.report('answered');
    let unpacker: OutputUnpacker | null = null;
    let bytes = 0;
    let wireBytes = 0;
    for (;;) {
      const frame = await this.nextFrame();
      if (frame.type === 'data') {
        this.arm(this.deadlines.stallMs, 'stalled while its outputs came');
        const chunk = this.codec.decode(frame.payload, DATA_CHUNK_BYTES);
        bytes += chunk.length;
        wireBytes += frame.payload.length;
        if (bytes > MAX_OUTPUT_ARCHIVE_BYTES) {
          throw new ProtocolError(`outputs of job ${id} exceed ${MAX_OUTPUT_ARCHIVE_BYTES} bytes`);
        }
        unpacker ??= new OutputUnpacker([this.request.output, ...this.request.extraOutputs]);
        unpacker.write(chunk);
        continue;
      }
      if (frame.type !== 'end') throw new ProtocolError(`unexpected ${frame.type} frame in the outputs of job ${id}`);
      const end = decodeControl('end', EndSchema, frame.payload);
      if (end.id !== id) throw new ProtocolError(`end of job ${end.id} while job ${id} runs`);
      if (end.bytes !== bytes) throw new ProtocolError(`outputs of job ${id} ended at ${end.bytes} bytes but ${bytes} came`);
      break;
    }
    const outputs = unpacker ? await unpacker.finish() : new Map<string, Buffer>();
    return {
      id,
      kind: result.kind,
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: Buffer.from(result.stdout, 'base64'),
      stderr: Buffer.from(result.stderr, 'base64'),
      message: result.message,
      timings: result.timings,
      cached: result.cached === true,
      releaseMatch: result.releaseMatch ?? null,
      mirrored: result.mirrored === true,
      capacity: result.capacity ?? null,
      outputs,
      transfer: {
        sentBytes: this.sentBytes,
        sentWireBytes: this.sentWireBytes,
        receivedBytes: bytes,
        receivedWireBytes: wireBytes,
        sentMs: this.sentMs,
        answeredMs,
        doneMs: this.sinceStart(),
      },
    };
  }

  private sinceStart(): number {
    return Math.round((performance.now() - this.startedAt) * 1000) / 1000;
  }

  /** A monitor's bug must not break the job. */
  private report(stage: JobStage): void {
    try {
      this.onStage(stage);
    } catch {
      // ignored
    }
  }

  private async nextFrame(): Promise<Frame> {
    const frame = await this.conn.next();
    if (frame) return frame;
    const stage = this.answered ? 'its outputs' : this.endSent ? 'its compile' : 'its source upload';
    throw new SshccError('remote-crash', `channel closed during job ${this.request.id} (${stage})`, {
      hint: 'sshcc-server exited or the connection dropped',
    });
  }
}
