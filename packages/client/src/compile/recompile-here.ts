// Sampled verification's second compile: the job a volunteer just ran, run here the same way — the same
// preprocessed source under the same name, the same arguments and prefix maps, in a private temp dir —
// so an honest volunteer's objects are byte for byte this machine's. The user's targets are not touched.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prefixMapArgs, type JobSpec } from '@sshcc/protocol';
import type { CompileRequest } from '../wire/messages';
import type { CompiledResult } from './compiled-answer';
import { MAX_CAPTURED_BYTES } from './compile-outcome';
import { atLowPriority } from './low-priority';
import { spawnCaptured } from './spawn-captured';

/** What the compile here gave; `outputs` holds the job's outputs it wrote, by their names in the job. */
export interface RecompiledRun extends CompiledResult {
  readonly signal: number | null;
}

/** Compiles `source` here at low priority as the volunteer compiled the job `spec`; the temp dir goes at the end. */
export async function recompileHere(compiler: string, request: CompileRequest, spec: JobSpec, source: Buffer, signal: AbortSignal): Promise<RecompiledRun> {
  const dir = await mkdtemp(join(tmpdir(), 'sshcc-verify-'));
  try {
    await writeFile(join(dir, spec.input), source, { flag: 'wx', mode: 0o600 });
    const argv = [compiler, ...spec.args, ...prefixMapArgs(dir, spec.cwd, spec.args, spec.fingerprint.version), '-x', spec.lang, spec.input, '-o', spec.output];
    const run = await spawnCaptured(atLowPriority(argv), { cwd: dir, env: { ...request.env, PWD: dir }, umask: request.umask, signal, maxOutputBytes: MAX_CAPTURED_BYTES });
    const outputs = new Map<string, Buffer>();
    for (const name of [spec.output, ...spec.extraOutputs]) {
      const data = await readFile(join(dir, name)).catch(() => null);
      if (data !== null) outputs.set(name, data);
    }
    return { exitCode: run.exitCode, signal: run.signal, stdout: run.stdout, stderr: run.stderr, outputs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
