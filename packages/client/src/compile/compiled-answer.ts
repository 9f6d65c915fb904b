// A successful compile's result, a volunteer's or the agent cache's, turned into the client's answer:
// the same targets written the same way, the same diagnostics, wherever it was compiled.
import { basename } from 'node:path';
import type { RemoteAnalysis } from '@sshcc/core';
import type { CompileAnswer, CompileRequest } from '../wire/messages';
import type { CapturedRun } from '../wire/messages';
import { writeOutputsAtomically } from './write-outputs';

export interface CompiledResult {
  readonly exitCode: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** By the job dir's names (the targets' base names); every target is there (see missingOutput). */
  readonly outputs: ReadonlyMap<string, Buffer>;
}

/** The first target a compile's outputs lack (by its name in the job dir), if any. */
export function missingOutput(analysis: RemoteAnalysis, outputs: ReadonlyMap<string, Buffer>): string | undefined {
  return [analysis.output, ...analysis.extraOutputs].find((path) => !outputs.has(basename(path)));
}

/**
 * Writes the outputs beside their targets and renames them into place, then answers with the diagnostics.
 * A failed compile writes nothing: gcc leaves an earlier object in place when cc1 fails.
 */
export async function answerCompiled(request: CompileRequest, analysis: RemoteAnalysis, preprocessed: CapturedRun, result: CompiledResult): Promise<CompileAnswer> {
  // The main object goes last: its presence then implies its companions (.dwo) are in place.
  const targets = [...analysis.extraOutputs, analysis.output];
  if (result.exitCode === 0) await writeOutputsAtomically(targets.map((path) => ({ path, data: result.outputs.get(basename(path)) as Buffer })), request.umask);
  // clang's -frewrite-includes step repeats its diagnostics in the compile; gcc's directives-only
  // step reports some (#warning) that its compile does not.
  const stderr = analysis.family === 'clang' ? result.stderr : Buffer.concat([preprocessed.stderr, result.stderr]);
  return { kind: 'result', exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr };
}
