// Sampled verification of one volunteer's answer: the job compiled again here, under a local compile slot
// (so verifying never runs more compilers here than the slots allow) and at low priority, then compared.
import type { JobSpec } from '@sshcc/protocol';
import type { Scheduler } from '../queue';
import type { CompiledResult } from './compiled-answer';
import type { Compilation } from './compilation';
import { compareOutputs, describeOutputs } from './compare-outputs';
import { recompileHere, type RecompiledRun } from './recompile-here';

export type Verdict =
  /** Every output is byte for byte this machine's: the volunteer's answer stands. */
  | { readonly kind: 'match' }
  /** An output differs: this machine's answer is kept. `detail` names each output with both sha256. */
  | { readonly kind: 'mismatch'; readonly detail: string; readonly local: RecompiledRun }
  /** This machine could not compile it (its temp dir full, say): nothing is said of the volunteer. */
  | { readonly kind: 'unverified'; readonly why: string };

/** No host is avoided: the grant is this machine's own `--localslots` slot. */
const NO_HOSTS: ReadonlySet<string> = new Set();

export async function verifyAnswer(scheduler: Scheduler, compilation: Compilation, spec: JobSpec, source: Buffer, remote: CompiledResult, signal: AbortSignal): Promise<Verdict> {
  const { compiler, request, recorder } = compilation;
  const grant = await recorder.compileSlot(scheduler.acquireCompile({ avoid: NO_HOSTS, localOnly: true }, signal));
  let local: RecompiledRun;
  try {
    local = await recompileHere(compiler, request, spec, source, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return { kind: 'unverified', why: err instanceof Error ? err.message : String(err) };
  } finally {
    grant.release();
  }
  const comparison = compareOutputs([spec.output, ...spec.extraOutputs], remote.outputs, local.outputs);
  // A failure here says nothing sure of the volunteer (this disk full, the compiler OOM-killed here): its
  // answer stands, unverified, rather than a good host being dropped for this machine's trouble.
  if (local.signal !== null) return { kind: 'unverified', why: `the compile here was killed by signal ${local.signal}` };
  if (local.exitCode !== 0) return { kind: 'unverified', why: `the compile here exited with ${local.exitCode}: ${firstLine(local.stderr)}` };
  if (comparison.outputs.some((output) => output.local === null)) return { kind: 'unverified', why: 'the compile here wrote no object' };
  return comparison.same ? { kind: 'match' } : { kind: 'mismatch', detail: describeOutputs(comparison), local };
}

function firstLine(text: Buffer): string {
  return text.toString('utf8').split('\n', 1)[0] ?? '';
}
