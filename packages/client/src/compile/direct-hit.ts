// The one place a compile meets the direct cache (./direct-cache.ts): before cpp, a known compile whose
// files are unchanged is answered from the result cache at once; otherwise the compile goes on as
// before, and once cpp has run and its result key is known, what cpp read is recorded for next time.
import { readFileSync } from 'node:fs';
import type { CapturedRun } from '../wire/messages';
import type { Compilation } from './compilation';
import { answerCompiled } from './compiled-answer';
import type { Outcome } from './compile-outcome';
import { directKey, directPlan } from './direct-key';
import { writeOutputsAtomically } from './write-outputs';
import { remoteJobSpec } from './remote-job-spec';
import { hitAnswers } from './result-cache';

/** What the direct cache did for one compile. */
export interface DirectAttempt {
  /** The answer from the cache, no cpp run; null: the compile goes on through cpp. */
  readonly outcome: Outcome | null;
  /** Called with cpp's whole run and the result key it gave: records the files cpp read. Never throws. */
  readonly record: (run: CapturedRun, resultKey: string) => void;
}

const NOT_DIRECT: DirectAttempt = { outcome: null, record: () => undefined };
/** A direct hit ran no cpp, so there are no cpp diagnostics (a compile that had some keeps no manifest). */
const NO_CPP_RUN: CapturedRun = { exitCode: 0, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

/** Looks the compile up in the direct cache; never rejects for a cache's sake (a doubt is a miss). */
export async function tryDirect(compilation: Compilation): Promise<DirectAttempt> {
  const { request, analysis, compiler, caching, recorder } = compilation;
  const plan = caching === null ? null : directPlan(analysis, request.cwd, request.env);
  if (caching === null || plan === null) return NOT_DIRECT;
  // Before cpp: a file changed after this moment is not recorded as what cpp read.
  const startedMs = Date.now();
  let source: Buffer;
  try {
    source = readFileSync(analysis.input);
  } catch {
    return NOT_DIRECT;
  }
  // A compiler that cannot be fingerprinted fails the compile's own path, which says why.
  const fingerprint = await compilation.fingerprint().catch(() => null);
  if (fingerprint === null) return NOT_DIRECT;
  const key = directKey({ compiler, fingerprint, argv: request.argv, analysis, cwd: request.cwd, env: request.env, source });
  const { cache } = caching;
  // Recorded on the next turn of the event loop, while the compile waits for its volunteer: a miss's
  // answer does not wait for the stats and hashes (~0.5 ms for a file that includes two system headers).
  const record = (run: CapturedRun, resultKey: string): void =>
    void setImmediate(() => cache.direct.record(key, run, resultKey, { cwd: request.cwd, startedMs, depFile: plan.depFile }));
  const found = cache.direct.lookup(key);
  // `has` first: a manifest whose result was evicted costs a stat, not a counted miss in the store.
  if (found === null || (plan.depFile !== null && found.depFile === null) || !(await cache.results.has(found.resultKey))) return { outcome: null, record };
  const hit = await cache.lookup(found.resultKey, remoteJobSpec(analysis, fingerprint, request, null));
  // No cpp ran to check its lines, and the direct key does not hold the terminal that decided the colour:
  // an answer with gcc diagnostics goes through cpp, whose check and key decide.
  if (hit === null || !hitAnswers(analysis.family, hit, false)) return { outcome: null, record };
  caching.cache.recentKeys.set(caching.command, found.resultKey);
  // The dependency file first, as cpp writes it before the compile writes the object.
  if (plan.depFile !== null && found.depFile !== null) await writeOutputsAtomically([{ path: plan.depFile, data: found.depFile }], request.umask);
  const answer = await answerCompiled(request, analysis, NO_CPP_RUN, hit);
  recorder.cacheLookup('direct-hit');
  recorder.countLocal('agent-cache-direct', false);
  return { outcome: { answer, place: { kind: 'cache', direct: true } }, record };
}
