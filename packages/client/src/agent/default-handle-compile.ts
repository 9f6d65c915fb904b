import { SshccError, exitCodeFor, formatError } from '@sshcc/core';
import { findRealCompiler } from '../masquerade/find-real-compiler';
import type { CompileAnswer, CompileRequest } from '../wire/messages';

/**
 * The answer that is always right: run the real compiler on the client, as if sshcc were not there.
 * It is found on the client's PATH (sshcc itself skipped) and given by absolute path, so the
 * compiler locates its own installation, not a masquerade link's.
 */
export async function defaultHandleCompile(request: CompileRequest): Promise<CompileAnswer> {
  return localCompileAnswer(request);
}

export function localCompileAnswer(request: CompileRequest): CompileAnswer {
  const compiler = request.argv[0] as string;
  const real = findRealCompiler(compiler, { path: request.env.PATH, cwd: request.cwd, self: request.clientExe });
  if (real !== undefined) return { kind: 'exec', argv: [real, ...request.argv.slice(1)] };
  const err = new SshccError('compiler-not-found', `${compiler} is not on PATH (sshcc itself skipped)`);
  return { kind: 'result', exitCode: exitCodeFor('compiler-not-found'), stdout: Buffer.alloc(0), stderr: Buffer.from(`${formatError(err)}\n`) };
}
