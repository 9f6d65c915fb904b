import type { Socket } from 'node:net';
import { ClientPreprocessor } from './client-preprocessor';
import { localCompileAnswer } from './default-handle-compile';
import { encodeAnswer, encodeStatus } from '../wire/encode-answer';
import { encodeFeedMessage, encodeReport } from '../wire/encode-report';
import { RequestReader, type AgentRequest } from '../wire/read-request';
import { WIRE_VERSION } from '../wire/wire-format';
import type { AgentReports } from './types';
import type { AgentStatus, CompileAnswer, CompileRequest, ReportValue } from '../wire/messages';
import type { HandleCompile } from '../compile/handle-compile';

/** A client sends its whole request at once; a connection that has not within this long is dropped. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Feed bytes queued for a monitor that does not read; past this it is dropped, not the agent's memory. */
export const MAX_WATCH_BACKLOG_BYTES = 8 * 1024 * 1024;

/** What a connection needs from the agent that owns it. */
export interface ConnectionHost {
  readonly handleCompile: HandleCompile;
  readonly reports: AgentReports;
  log(line: string): void;
  jobStarted(job: AbortController): void;
  jobFinished(job: AbortController): void;
  status(): AgentStatus;
  /** Called once a stop request has been answered. */
  stop(): void;
  /** A newer client came: this agent gives way to the one it will start (the connection is dropped first). */
  stepAside(why: string): void;
}

/**
 * One client connection: read one request, answer it, close. A malformed request costs only its
 * connection (one log line). The client closing its socket while the job runs cancels the job.
 */
export function serveConnection(socket: Socket, host: ConnectionHost): void {
  const reader = new RequestReader();
  let job: AbortController | undefined;
  /** Set once a version 2 compile request is in: what the client sends from then on is preprocessor output. */
  let preprocessor: ClientPreprocessor | undefined;
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
    host.log(`no complete request within ${REQUEST_TIMEOUT_MS} ms; connection closed`);
    socket.destroy();
  });
  socket.on('data', (chunk: Buffer) => {
    if (preprocessor !== undefined) {
      const why = preprocessor.push(chunk);
      if (why !== null) {
        host.log(`malformed client frames: ${why}; connection closed`);
        socket.destroy();
      }
      return;
    }
    const step = reader.push(chunk);
    if (step.state === 'more') return;
    if (step.state === 'newer') {
      host.stepAside(`a client speaks socket protocol version ${step.version}, newer than this agent's ${WIRE_VERSION}`);
      socket.destroy();
      return;
    }
    if (step.state === 'bad') {
      host.log(`malformed request: ${step.why}; connection closed`);
      socket.destroy();
      return;
    }
    socket.setTimeout(0);
    dispatch(step.request);
  });
  socket.on('end', () => {
    const step = reader.end();
    // A bare connect-and-close is how clients probe for a live agent: not worth a line.
    if (step.state === 'bad' && !step.why.startsWith('connection closed before')) host.log(`malformed request: ${step.why}; connection closed`);
  });
  socket.on('close', () => job?.abort());
  socket.on('error', () => undefined); // the client went away; 'close' follows

  function dispatch(request: AgentRequest): void {
    if (request.kind === 'status') {
      socket.end(encodeStatus(host.status()));
    } else if (request.kind === 'stop') {
      socket.end(encodeStatus({ ...host.status(), stopping: true }), () => host.stop());
    } else if (request.kind === 'compile') {
      if (request.version >= 2) preprocessor = new ClientPreprocessor((bytes) => socket.write(bytes));
      void compile(request.request);
    } else if (request.kind === 'watch') {
      watch();
    } else {
      void report(request.kind);
    }
  }

  async function report(kind: 'stats' | 'zero-stats' | 'jobs'): Promise<void> {
    let bytes: Buffer;
    try {
      const value: ReportValue = kind === 'stats' ? await host.reports.stats() : kind === 'zero-stats' ? await host.reports.zeroStats() : host.reports.jobs();
      bytes = encodeReport(value);
    } catch (err) {
      host.log(`${kind} report failed: ${describe(err)}`);
      socket.destroy();
      return;
    }
    if (!socket.destroyed) socket.end(bytes);
  }

  function watch(): void {
    const stop = host.reports.watch((message) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_WATCH_BACKLOG_BYTES) {
        host.log('a monitor stopped reading its feed; connection closed');
        socket.destroy();
        return;
      }
      try {
        socket.write(encodeFeedMessage(message));
      } catch (err) {
        host.log(`feed message dropped: ${describe(err)}; connection closed`);
        socket.destroy();
      }
    });
    socket.once('close', stop);
    if (socket.destroyed) stop();
  }

  async function compile(request: CompileRequest): Promise<void> {
    const current = new AbortController();
    job = current;
    host.jobStarted(current);
    let answer: CompileAnswer;
    try {
      answer = await host.handleCompile(request, preprocessor ? { signal: current.signal, preprocess: preprocessor.preprocess } : { signal: current.signal });
    } catch (err) {
      if (!current.signal.aborted) host.log(`job failed: ${describe(err)}; the client compiles locally`);
      answer = localCompileAnswer(request);
    } finally {
      job = undefined;
      host.jobFinished(current);
    }
    if (current.signal.aborted || socket.destroyed) return;
    let bytes: Buffer;
    try {
      bytes = encodeAnswer(answer);
    } catch (err) {
      host.log(`unusable answer: ${describe(err)}; the client compiles locally`);
      bytes = encodeAnswer(localCompileAnswer(request));
    }
    socket.end(bytes);
  }
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
}
