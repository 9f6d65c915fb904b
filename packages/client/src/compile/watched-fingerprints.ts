import type { CompilerFingerprint } from '@sshcc/protocol';
import { fingerprintCompiler, fingerprintKey } from '@sshcc/store';
import type { PathWatches } from './path-watches';
import { WatchedMemo } from './watched-memo';

/** A compiler's fingerprint in the environment it runs in. */
export type FingerprintOf = (compiler: string, env: NodeJS.ProcessEnv) => Promise<CompilerFingerprint>;

/**
 * fingerprintCompiler, kept while a watch sees no change to the compiler's path (the driver and the links
 * to it): its own cache is checked with a realpath and a stat per job, which this replaces by a map lookup.
 * Keyed as that cache is (fingerprintKey).
 */
export class WatchedFingerprints {
  private readonly known = new WatchedMemo<Promise<CompilerFingerprint>>();

  constructor(private readonly watches: PathWatches) {}

  of(compiler: string, env: NodeJS.ProcessEnv): Promise<CompilerFingerprint> {
    const key = fingerprintKey(compiler, env);
    const known = this.known.get(key);
    if (known !== undefined) return known.value;
    // Watched before it is fingerprinted: a compiler replaced meanwhile is seen.
    const validity = this.watches.cover([compiler]);
    const fingerprint = fingerprintCompiler(compiler, { env });
    if (validity !== null) {
      this.known.set(key, fingerprint, validity);
      fingerprint.catch(() => {
        if (this.known.get(key)?.value === fingerprint) this.known.delete(key);
      });
    }
    return fingerprint;
  }
}
