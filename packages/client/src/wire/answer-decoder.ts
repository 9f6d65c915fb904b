import { SOCKET_FRAME_HEADER_BYTES, FRAME_KIND } from './wire-format';
import { MAX_ANSWER_BYTES, MAX_ARGC, MAX_SOCKET_FRAME_BYTES } from './wire-limits';

/** The agent's final word on one request, as the client acts on it. */
export type AgentAnswer =
  /** `stderr`: bytes the agent sent before the exec frame, written before the exec. */
  | { readonly kind: 'exec'; readonly argv: readonly string[]; readonly stderr: Buffer }
  | { readonly kind: 'exit'; readonly code: number; readonly stdout: Buffer; readonly stderr: Buffer }
  | { readonly kind: 'signal'; readonly signal: number; readonly stdout: Buffer; readonly stderr: Buffer }
  | { readonly kind: 'status'; readonly json: string };

export type DecodeStep =
  | { readonly state: 'more' }
  /** Not the end: run this preprocessor and stream its output back, then push on (an empty chunk will do). */
  | { readonly state: 'preprocess'; readonly argv: readonly string[] }
  | { readonly state: 'done'; readonly answer: AgentAnswer }
  | { readonly state: 'bad'; readonly why: string };

const MORE: DecodeStep = { state: 'more' };

/**
 * Reads answer frames as they arrive. Checks each header before waiting for its payload (a length
 * over the limit ends the answer as bad), and stops at the first final frame.
 */
export class AnswerDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly stdout: Buffer[] = [];
  private readonly stderr: Buffer[] = [];
  private total = 0;
  private finished = false;

  push(chunk: Buffer): DecodeStep {
    if (this.finished) return { state: 'bad', why: 'bytes after the final frame' };
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= SOCKET_FRAME_HEADER_BYTES) {
      const kind = this.pending.readUInt8(0);
      const length = this.pending.readUInt32BE(1);
      if (length > MAX_SOCKET_FRAME_BYTES) return this.bad(`frame of ${length} bytes is over the limit`);
      if (this.total + length > MAX_ANSWER_BYTES) return this.bad('answer is over the size limit');
      if (this.pending.length < SOCKET_FRAME_HEADER_BYTES + length) return MORE;
      const payload = this.pending.subarray(SOCKET_FRAME_HEADER_BYTES, SOCKET_FRAME_HEADER_BYTES + length);
      this.pending = this.pending.subarray(SOCKET_FRAME_HEADER_BYTES + length);
      this.total += length;
      const step = this.frame(kind, payload);
      if (step.state === 'preprocess') return step;
      if (step.state !== 'more') {
        this.finished = true;
        if (step.state === 'done' && this.pending.length > 0) return this.bad('bytes after the final frame');
        return step;
      }
    }
    return MORE;
  }

  /** The connection ended: fine only after a final frame. */
  end(): DecodeStep {
    return this.finished ? MORE : this.bad('the agent closed the connection without an answer');
  }

  private frame(kind: number, payload: Buffer): DecodeStep {
    switch (kind) {
      case FRAME_KIND.stdout:
        this.stdout.push(Buffer.from(payload));
        return MORE;
      case FRAME_KIND.stderr:
        this.stderr.push(Buffer.from(payload));
        return MORE;
      case FRAME_KIND.exec:
      case FRAME_KIND.preprocess: {
        const argv = argvOf(payload);
        if (typeof argv === 'string') return this.bad(argv);
        return kind === FRAME_KIND.preprocess ? { state: 'preprocess', argv } : { state: 'done', answer: { kind: 'exec', argv, stderr: Buffer.concat(this.stderr) } };
      }
      case FRAME_KIND.exit:
      case FRAME_KIND.signal:
        return this.status(kind, payload);
      case FRAME_KIND.status:
        return { state: 'done', answer: { kind: 'status', json: payload.toString('utf8') } };
      default:
        return this.bad(`unknown frame kind ${kind}`);
    }
  }

  private status(kind: number, payload: Buffer): DecodeStep {
    if (payload.length !== 4) return this.bad('exit frame is not 4 bytes');
    const value = payload.readUInt32BE(0);
    const stdout = Buffer.concat(this.stdout);
    const stderr = Buffer.concat(this.stderr);
    if (kind === FRAME_KIND.exit) {
      if (value > 255) return this.bad(`exit code ${value} is out of range`);
      return { state: 'done', answer: { kind: 'exit', code: value, stdout, stderr } };
    }
    if (value < 1 || value > 64) return this.bad(`signal ${value} is out of range`);
    return { state: 'done', answer: { kind: 'signal', signal: value, stdout, stderr } };
  }

  private bad(why: string): DecodeStep {
    this.finished = true;
    return { state: 'bad', why };
  }
}

/** An exec or preprocess payload: NUL-terminated strings. */
function argvOf(payload: Buffer): string[] | string {
  if (payload.length === 0 || payload[payload.length - 1] !== 0) return 'argv is not NUL-terminated';
  const argv = payload.subarray(0, payload.length - 1).toString('utf8').split('\0');
  if (argv.length > MAX_ARGC || argv[0] === '') return 'argv is empty or too long';
  return argv;
}
