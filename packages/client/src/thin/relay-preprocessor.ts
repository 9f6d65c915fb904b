import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { CLIENT_END_BYTES, CLIENT_FRAME_KIND, SOCKET_FRAME_HEADER_BYTES, type ClientFrameKind } from '../wire/wire-format';

/**
 * Runs the preprocessor the agent asked for, with this client's cwd, environment and umask, and
 * streams its stdout and stderr to the agent as they come, then how it ended. Returns the function
 * that stops it early (the agent answered first or is gone, or this client is interrupted: nobody
 * wants the output). It runs in a process group of its own, as in the C shim (shim/preprocess.c), so
 * that stopping it stops what it started too: gcc -E forks cc1, which a kill of the driver alone
 * leaves running.
 */
export function relayPreprocessor(socket: Socket, argv: readonly string[], env: Readonly<Record<string, string>>): () => void {
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  let stopped = false;
  const send = (kind: ClientFrameKind, payload: Buffer) => {
    if (stopped || socket.destroyed) return;
    const header = Buffer.alloc(SOCKET_FRAME_HEADER_BYTES);
    header.writeUInt8(CLIENT_FRAME_KIND[kind], 0);
    header.writeUInt32BE(payload.length, 1);
    socket.write(header);
    socket.write(payload);
  };
  child.stdout.on('data', (chunk: Buffer) => send('output', chunk));
  child.stderr.on('data', (chunk: Buffer) => send('diagnostics', chunk));
  let cannotRun = false;
  child.on('error', (err: NodeJS.ErrnoException) => {
    // As a shell reports it: the agent then answers to compile here, where the real error shows.
    cannotRun = true;
    send('diagnostics', Buffer.from(`sshcc: cannot run ${argv[0]}: ${err.code ?? err.message}\n`));
  });
  child.on('close', (code, signal) => {
    const end = Buffer.alloc(CLIENT_END_BYTES);
    end.writeUInt32BE(cannotRun ? 127 : (code ?? 0), 0);
    end.writeUInt32BE(signal === null ? 0 : (constants.signals[signal] ?? 0), 4);
    send('end', end);
  });
  return () => {
    stopped = true;
    // Not once it has been reaped: its pid, the group's name, may then be another's.
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  };
}
