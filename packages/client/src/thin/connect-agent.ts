import { connect, type Socket } from 'node:net';
import type { AgentPaths } from '../wire/agent-paths';
import { checkAgentDir } from './check-agent-dir';
import { spawnAgent, type AgentLaunch } from './agent-launch';

/**
 * How long a client waits for an agent it started before compiling without one. The shim uses the same.
 * Generous: under a loaded make -j an agent takes seconds to start, and giving up early silently turns
 * a whole build local; an agent that cannot start at all is rare and costs this once per compile.
 */
export const AGENT_START_WAIT_MS = 10_000;
/** Pause between connect attempts while the agent starts. */
export const AGENT_RETRY_MS = 10;

export type AgentConnection = { readonly ok: true; readonly socket: Socket } | { readonly ok: false; readonly why: string };

/**
 * Connects to the agent, starting it when there is none (no socket, or a stale one). Two clients
 * that start it at once both wait for the socket: the agent that loses the start-up race exits 0.
 */
export async function connectOrStartAgent(paths: AgentPaths, launch: AgentLaunch, waitMs = AGENT_START_WAIT_MS): Promise<AgentConnection> {
  const first = await attempt(paths);
  if (first.kind === 'connected') return { ok: true, socket: first.socket };
  if (first.kind === 'fatal') return { ok: false, why: first.why };

  let exited: string | undefined;
  let child;
  try {
    child = spawnAgent(launch);
  } catch (err) {
    return { ok: false, why: `cannot start the agent: ${(err as Error).message}` };
  }
  child.on('error', (err) => {
    exited = `cannot start the agent (${launch.node}): ${err.message}`;
  });
  child.on('exit', (code, signal) => {
    if (code !== 0) exited = `the agent exited at start-up (${signal ?? `code ${code}`}; see ${paths.logFile})`;
  });

  const deadline = Date.now() + waitMs;
  for (;;) {
    await delay(AGENT_RETRY_MS);
    const next = await attempt(paths);
    if (next.kind === 'connected') return { ok: true, socket: next.socket };
    if (next.kind === 'fatal') return { ok: false, why: next.why };
    if (exited !== undefined) return { ok: false, why: exited };
    if (Date.now() >= deadline) return { ok: false, why: `the agent did not answer on ${paths.socket} within ${waitMs} ms` };
  }
}

type Attempt = { kind: 'connected'; socket: Socket } | { kind: 'absent' } | { kind: 'fatal'; why: string };

async function attempt(paths: AgentPaths): Promise<Attempt> {
  const dir = checkAgentDir(paths.dir);
  if (dir.state === 'missing') return { kind: 'absent' };
  if (dir.state === 'unsafe') return { kind: 'fatal', why: dir.why };
  return new Promise((resolve) => {
    const socket = connect(paths.socket);
    const onError = (err: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve({ kind: 'absent' });
      else resolve({ kind: 'fatal', why: `cannot connect to ${paths.socket}: ${err.code ?? err.message}` });
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve({ kind: 'connected', socket });
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
