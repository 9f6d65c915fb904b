import { SshccError } from '@sshcc/core';
import { CONTROL_TIMEOUT_MS } from '../agent/agent-control';
import { watchAgent, type AgentWatch } from '../agent/report-client';
import type { AgentPaths } from '../agent/types';
import { LiveView, type FeedMessage } from '../views/monitor/live-view';
import { renderFrame } from '../views/monitor/render-frame';

/** A terminal redraws at most this often while events arrive, and every second for the clocks. */
const TTY_FRAME_MS = 100;
const TTY_TICK_MS = 1000;
/** Without a terminal, a frame is printed at most this often, and only when something changed. */
const TEXT_FRAME_MS = 1000;

export interface MonitorOutput {
  write(text: string): unknown;
  /** Set for a terminal: frames are redrawn in place. */
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

export interface MonitorOptions {
  readonly paths: AgentPaths;
  readonly out: MonitorOutput;
  /** Aborting ends a live monitor (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** `sshcc mon --once`: the agent's current state, or null when no agent runs. */
export async function monitorOnce(paths: AgentPaths): Promise<LiveView | null> {
  let first!: (message: FeedMessage) => void;
  const snapshot = new Promise<FeedMessage>((resolve) => (first = resolve));
  const watch = await watchAgent(paths, (message) => first(message as FeedMessage));
  if (watch === null) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SshccError('timeout', `the agent on ${paths.socket} sent no state within ${CONTROL_TIMEOUT_MS} ms`)), CONTROL_TIMEOUT_MS);
  });
  try {
    const message = await Promise.race([snapshot, timeout, watch.ended.then(() => Promise.reject(new SshccError('agent-unavailable', 'the agent closed the feed')))]);
    if (message.type !== 'snapshot') throw new SshccError('protocol', 'the agent\'s feed did not start with its state');
    return LiveView.from(message);
  } finally {
    clearTimeout(timer);
    watch.close();
  }
}

/**
 * `sshcc mon`: follows the agent's feed until Ctrl-C or the agent stops. A terminal gets the frame
 * redrawn in place; anything else gets a plain frame whenever something changed, at most once a second.
 * Resolves with why it ended.
 */
export async function monitorLive(options: MonitorOptions): Promise<'stopped' | 'agent-gone'> {
  const { out } = options;
  const tty = out.isTTY === true;
  let view: LiveView | null = null;
  let dirty = false;
  let lastDraw = 0;
  function draw(): void {
    if (view === null) return;
    dirty = false;
    lastDraw = Date.now();
    const lines = renderFrame(view, { now: lastDraw, ...(tty ? { columns: out.columns ?? 80, rows: out.rows ?? 24 } : {}) });
    // Home, each line cleared to its end, then the rest of the old frame cleared.
    out.write(tty ? `\x1b[H${lines.map((line) => `${line}\x1b[K`).join('\n')}\n\x1b[J` : `${lines.join('\n')}\n\n`);
  }
  if (tty) out.write('\x1b[?25l\x1b[2J');
  const watch: AgentWatch | null = await watchAgent(options.paths, (raw) => {
    const message = raw as FeedMessage;
    if (message.type === 'snapshot') {
      view = LiveView.from(message);
      draw();
      return;
    }
    if (view !== null) for (const event of message.events) view.apply(event);
    dirty = true;
  });
  if (watch === null) {
    if (tty) out.write('\x1b[?25h');
    return 'agent-gone';
  }
  const timer = setInterval(
    () => {
      if (dirty || (tty && Date.now() - lastDraw >= TTY_TICK_MS)) draw();
    },
    tty ? TTY_FRAME_MS : TEXT_FRAME_MS,
  );
  const stopped = new Promise<'stopped'>((resolve) => {
    if (options.signal?.aborted) resolve('stopped');
    options.signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  const how = await Promise.race([stopped, watch.ended.then(() => 'agent-gone' as const)]);
  clearInterval(timer);
  watch.close();
  if (dirty) draw();
  if (tty) out.write('\x1b[?25h');
  return how;
}
