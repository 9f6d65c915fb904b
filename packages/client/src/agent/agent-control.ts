import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { SshccError } from '@sshcc/core';
import { defaultAgentLaunch } from '../thin/agent-launch';
import { AnswerDecoder } from '../wire/answer-decoder';
import { encodeControlRequest } from '../wire/compile-request';
import { connectOrStartAgent } from '../thin/connect-agent';
import type { AgentPaths } from './types';
import type { AgentStatus } from '../wire/messages';
import { pidExists } from '../compile/output-temps';

/** How long `sshcc agent status|stop` waits for the agent to answer. */
export const CONTROL_TIMEOUT_MS = 5000;

/** The running agent's status, or null when no agent answers on the socket. */
export function queryAgent(paths: AgentPaths, kind: 'status' | 'stop' = 'status'): Promise<AgentStatus | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(paths.socket);
    const decoder = new AnswerDecoder();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SshccError('timeout', `the agent on ${paths.socket} did not answer within ${CONTROL_TIMEOUT_MS} ms`));
    }, CONTROL_TIMEOUT_MS);
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    socket.once('connect', () => socket.write(encodeControlRequest(kind)));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') finish(() => resolve(null));
      else finish(() => reject(new SshccError('agent-unavailable', `cannot reach ${paths.socket}: ${err.code ?? err.message}`)));
    });
    socket.on('data', (chunk: Buffer) => {
      const step = decoder.push(chunk);
      if (step.state === 'more') return;
      if (step.state === 'done' && step.answer.kind === 'status') {
        const status = JSON.parse(step.answer.json) as AgentStatus;
        finish(() => resolve(status));
      } else {
        finish(() => reject(new SshccError('protocol', `unexpected answer from the agent on ${paths.socket}`)));
      }
    });
    socket.on('end', () => finish(() => reject(new SshccError('protocol', `the agent on ${paths.socket} closed without answering`))));
  });
}

/** Starts the agent unless one runs (as a compile would), and returns its status. */
export async function ensureAgent(paths: AgentPaths, env: Readonly<Record<string, string>>): Promise<AgentStatus> {
  const connection = await connectOrStartAgent(paths, defaultAgentLaunch(env, agentBundleDir()));
  if (!connection.ok) throw new SshccError('agent-unavailable', connection.why);
  connection.socket.destroy();
  const status = await queryAgent(paths);
  if (status === null) throw new SshccError('agent-unavailable', `the agent stopped right after starting (see ${paths.logFile})`);
  return status;
}

/** Asks the agent to stop and waits until its socket is gone. Returns the status it had, or null if none ran. */
export async function stopAgent(paths: AgentPaths): Promise<AgentStatus | null> {
  const status = await queryAgent(paths, 'stop');
  if (status === null) return null;
  const deadline = Date.now() + CONTROL_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await queryAgent(paths).catch(() => null)) === null && !isAlive(status.pid)) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new SshccError('timeout', `the agent (pid ${status.pid}) did not stop within ${CONTROL_TIMEOUT_MS} ms`);
}

/** The pid in the agent's pid file, if there is one. */
export function readAgentPid(paths: AgentPaths): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(paths.pidFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  // An agent inside this process (tests) is gone once its socket is.
  return pid !== process.pid && pidExists(pid);
}

/** dist/: where the thin client bundle and agent/main.js live, seen from dist/agent/. */
function agentBundleDir(): string {
  return `${__dirname}/..`;
}
