import type { CapturedRun } from '../wire/messages';
import { CLIENT_CHECKED_BYTES, CLIENT_END_BYTES, CLIENT_FRAME_KIND, SOCKET_FRAME_HEADER_BYTES } from '../wire/wire-format';
import { MAX_SOCKET_FRAME_BYTES } from '../wire/wire-limits';
import { encodePreprocess } from '../wire/encode-answer';
import type { PreprocessInClient } from '../wire/messages';

/** The preprocessor run a client is doing for the agent. */
interface Run {
  readonly resolve: (run: CapturedRun) => void;
  readonly reject: (err: unknown) => void;
  readonly stdout: Buffer[];
  readonly stderr: Buffer[];
  readonly maxOutputBytes: number;
  readonly onStdout: ((chunk: Buffer) => void) | undefined;
  bytes: number;
  /** The client's checked frame: every output line held against its file. */
  linesChecked: boolean;
  /** Past the limit: answered already (as a failure); frames are dropped until the client's end. */
  settled: boolean;
}

/**
 * The agent's end of a version 2 client running the preprocessor: sends the preprocess frame, then
 * collects the client frames that come back. Frames are checked from their header before their payload
 * is kept, as requests are.
 */
export class ClientPreprocessor {
  private pending: Buffer = Buffer.alloc(0);
  private run: Run | null = null;

  constructor(private readonly send: (bytes: Buffer) => void) {}

  readonly preprocess: PreprocessInClient = (argv, { maxOutputBytes, signal, onStdout }) =>
    new Promise<CapturedRun>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      if (this.run !== null) return reject(new Error('a preprocessor is already running in this client'));
      const run: Run = { resolve, reject, stdout: [], stderr: [], maxOutputBytes, onStdout, bytes: 0, linesChecked: false, settled: false };
      this.run = run;
      signal.addEventListener('abort', () => this.settle(run, () => reject(signal.reason)), { once: true });
      this.send(encodePreprocess(argv));
    });

  /** Bytes from the client after its request. A string: why they break the protocol (drop the client). */
  push(chunk: Buffer): string | null {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= SOCKET_FRAME_HEADER_BYTES) {
      const run = this.run;
      if (run === null) return 'client frames without a preprocess request';
      const kind = this.pending.readUInt8(0);
      const length = this.pending.readUInt32BE(1);
      if (length > MAX_SOCKET_FRAME_BYTES) return `client frame of ${length} bytes is over the limit`;
      if (kind === CLIENT_FRAME_KIND.end && length !== CLIENT_END_BYTES) return `end frame of ${length} bytes`;
      if (kind === CLIENT_FRAME_KIND.checked && length !== CLIENT_CHECKED_BYTES) return `checked frame of ${length} bytes`;
      if (!(Object.values(CLIENT_FRAME_KIND) as number[]).includes(kind)) return `unknown client frame kind ${kind}`;
      if (!run.settled && run.bytes + length > run.maxOutputBytes) {
        this.settle(run, () => run.resolve({ exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }));
      }
      if (this.pending.length < SOCKET_FRAME_HEADER_BYTES + length) return null;
      const payload = this.pending.subarray(SOCKET_FRAME_HEADER_BYTES, SOCKET_FRAME_HEADER_BYTES + length);
      this.pending = this.pending.subarray(SOCKET_FRAME_HEADER_BYTES + length);
      if (kind === CLIENT_FRAME_KIND.end) {
        this.run = null;
        const exitCode = payload.readUInt32BE(0);
        const signal = payload.readUInt32BE(4);
        if (exitCode > 255 || signal > 64) return `end frame with exit ${exitCode}, signal ${signal}`;
        this.settle(run, () =>
          run.resolve({
            exitCode: signal === 0 ? exitCode : null,
            signal: signal === 0 ? null : signal,
            stdout: Buffer.concat(run.stdout),
            stderr: Buffer.concat(run.stderr),
            ...(run.linesChecked ? { linesChecked: true } : {}),
          }),
        );
      } else if (kind === CLIENT_FRAME_KIND.checked) {
        run.linesChecked = payload.readUInt32BE(0) === 1;
      } else if (!run.settled) {
        run.bytes += length;
        // Kept as a view: a socket read is a fresh buffer, never reused, so no copy is needed.
        if (kind === CLIENT_FRAME_KIND.output) {
          run.stdout.push(payload);
          run.onStdout?.(payload);
        } else run.stderr.push(payload);
      }
    }
    return null;
  }

  private settle(run: Run, how: () => void): void {
    if (run.settled) return;
    run.settled = true;
    how();
    run.stdout.length = 0;
    run.stderr.length = 0;
  }
}
