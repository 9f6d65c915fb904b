import { connect, type Socket } from 'node:net';
import { SshccError } from '@sshcc/core';
import { encodeControlRequest } from '../wire/compile-request';
import { CONTROL_TIMEOUT_MS } from './agent-control';
import { ReportDecoder } from '../wire/report-frames';
import type { AgentPaths } from './types';

export type ReportKind = 'stats' | 'zero-stats' | 'jobs';

/** The agent's answer to a report request; `{ agent: false }` when no agent answers on the socket. */
export function queryReport(paths: AgentPaths, kind: ReportKind): Promise<{ agent: true; value: unknown } | { agent: false }> {
  return new Promise((resolve, reject) => {
    const socket = connect(paths.socket);
    const decoder = new ReportDecoder();
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(new SshccError('timeout', `the agent on ${paths.socket} did not answer within ${CONTROL_TIMEOUT_MS} ms`))), CONTROL_TIMEOUT_MS);
    socket.once('connect', () => socket.write(encodeControlRequest(kind)));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') finish(() => resolve({ agent: false }));
      else finish(() => reject(new SshccError('agent-unavailable', `cannot reach ${paths.socket}: ${err.code ?? err.message}`)));
    });
    socket.on('data', (chunk: Buffer) => {
      const step = decoder.push(chunk);
      if (step.state === 'bad') return finish(() => reject(new SshccError('protocol', `the agent on ${paths.socket} answered badly: ${step.why}`)));
      const report = step.frames.find((frame) => frame.kind === 'report');
      if (report !== undefined) finish(() => resolve({ agent: true, value: report.value }));
    });
    socket.on('close', () =>
      finish(() => reject(new SshccError('agent-unavailable', `the agent on ${paths.socket} closed without answering`, { hint: `see ${paths.logFile}` }))),
    );
  });
}

export interface AgentWatch {
  /** Ends the feed (closes the connection). */
  close(): void;
  /** Settles when the feed ends: `closed` by us, `agent-gone` when the agent closed it or stopped. */
  readonly ended: Promise<'closed' | 'agent-gone'>;
}

/**
 * Opens the agent's live feed: `onMessage` gets its first message (the current state) and every later
 * one. Resolves null when no agent answers on the socket.
 */
export function watchAgent(paths: AgentPaths, onMessage: (message: unknown) => void): Promise<AgentWatch | null> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(paths.socket);
    const decoder = new ReportDecoder();
    let closedByUs = false;
    let resolveEnded!: (how: 'closed' | 'agent-gone') => void;
    const ended = new Promise<'closed' | 'agent-gone'>((r) => (resolveEnded = r));
    socket.once('connect', () => {
      socket.write(encodeControlRequest('watch'));
      resolve({
        close: () => {
          closedByUs = true;
          socket.destroy();
        },
        ended,
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(null);
      else reject(new SshccError('agent-unavailable', `cannot reach ${paths.socket}: ${err.code ?? err.message}`));
    });
    socket.on('data', (chunk: Buffer) => {
      const step = decoder.push(chunk);
      if (step.state === 'bad') {
        socket.destroy();
        return;
      }
      for (const frame of step.frames) if (frame.kind === 'event') onMessage(frame.value);
    });
    socket.on('close', () => resolveEnded(closedByUs ? 'closed' : 'agent-gone'));
  });
}
