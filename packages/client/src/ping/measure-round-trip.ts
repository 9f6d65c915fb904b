import type { ClientSession, CompilerFingerprint } from '@sshcc/protocol';
import { probeJob, runProbe } from './compiler-probe';

/** No volunteer allows a compiler by this name, so the answer comes straight from its gate. */
const NO_SUCH_COMPILER = 'sshcc-ping-round-trip';
const NO_FINGERPRINT: CompilerFingerprint = { version: 'none', target: 'none', driver: '0'.repeat(64), cc1: null, cc1plus: null };
const ROUND_TRIPS = 3;

/**
 * What one job costs on an open channel apart from compiling: a request the volunteer answers at once
 * (it refuses the compiler name) and the answer. The fastest of a few, as for ping(8).
 */
export async function measureRoundTrip(session: ClientSession, cwd: string, timeoutMs: number): Promise<number> {
  const job = probeJob(NO_SUCH_COMPILER, NO_FINGERPRINT, cwd, timeoutMs);
  const source = Buffer.from('\n');
  let best = Infinity;
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const start = performance.now();
    await runProbe(session, { ...job, sourceBytes: source.length }, source, timeoutMs);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
