// What one compile came to in the agent, and the answers it gives without a remote compile: run it
// here (exec), or sshcc's own failure.
import { departureText, formatError, type SshccError } from '@sshcc/core';
import type { CompileAnswer, CompileRequest } from '../wire/messages';
import type { Compilation } from './compilation';
import type { CompilePlace } from './compile-note';

/** Preprocessed source or diagnostics past this are not a compile sshcc should hold in memory. */
export const MAX_CAPTURED_BYTES = 512 * 1024 * 1024;

/** What running one job came to, before it is turned into the client's answer. */
export interface Outcome {
  readonly answer: CompileAnswer;
  readonly place: CompilePlace;
}

export function execLocally(compiler: string, request: CompileRequest): CompileAnswer {
  return { kind: 'exec', argv: [compiler, ...request.argv.slice(1)] };
}

/** sshcc's own failure as the compile's answer: its one-line message, its exit code. */
export function failure(err: SshccError): CompileAnswer {
  return { kind: 'result', exitCode: err.exitCode, stdout: Buffer.alloc(0), stderr: Buffer.from(`${formatError(err)}\n`) };
}

export function preprocessFailed({ compiler, request, recorder }: Compilation): Outcome {
  // The compiler's own diagnostics, exactly as it prints them, come from running it for real.
  recorder.countLocal('preprocess-failed', false);
  return { answer: execLocally(compiler, request), place: { kind: 'local', why: departureText('preprocess-failed') } };
}
