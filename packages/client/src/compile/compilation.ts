// One compile as the agent handles it, carried whole from analysis to answer. "Job" names other things:
// the protocol's job is one remote attempt's exchange on a channel (JobSpec, JobResult), the server's job
// dir is where that attempt compiles, and the feed's job record is what a Compilation reports into.
import type { RemoteAnalysis } from '@sshcc/core';
import type { ByteSource, CompilerFingerprint } from '@sshcc/protocol';
import type { JobRecorder } from '../events';
import type { CapturedRun, CompileRequest } from '../wire/messages';
import type { AgentCache } from './result-cache';

export interface Compilation {
  readonly request: CompileRequest;
  /** The real compiler by absolute path (a masquerade link skipped): what runs here, and what is fingerprinted. */
  readonly compiler: string;
  readonly analysis: RemoteAnalysis;
  /** Where this compile reports its lifecycle (the agent's event feed). */
  readonly recorder: JobRecorder;
  /** The user's result cache as this compile uses it; null when the build turned the caches off or there is none. */
  readonly caching: CompileCaching | null;
  /** The share of remote answers compiled here too and compared (SSHCC_VERIFY): 0 none, 1 every one. */
  readonly verifyRate: number;
  /** The compiler's fingerprint in this build's environment (kept between jobs while the compiler is unchanged). */
  readonly fingerprint: () => Promise<CompilerFingerprint>;
}

/** The agent cache as one compile uses it; `command` names its command line in the cache's recent keys. */
export interface CompileCaching {
  readonly cache: AgentCache;
  readonly command: string;
}

/** Where an upload's result cache key stands when the upload starts. */
export type UploadKey =
  /** The build turned the caches off: the volunteer neither looks up nor stores. */
  | { readonly kind: 'off' }
  /** The source was whole before the upload. */
  | { readonly kind: 'known'; readonly key: string }
  /** Streamed: the volunteer works the key out once the source has reached it. */
  | { readonly kind: 'at-end' };

/** What a remote attempt sends: the source (again from its start on each attempt) and its cache key. */
export interface Upload {
  readonly source: () => ByteSource;
  /** Source bytes in hand so far (all of them once the compile is answered). */
  readonly bytes: () => number;
  readonly key: UploadKey;
  /** The key the agent's cache stores the result under, from the whole source; hashed once per compile. */
  readonly keyOfWhole: (whole: CapturedRun) => string | null;
  /**
   * Whether a big whole source waits for the volunteer's cache lookup (`need`). Not after a miss in the
   * agent's own cache: the volunteer likely misses too, and a miss should cost one round trip, not two.
   */
  readonly holdForLookup: boolean;
  /** The whole preprocessor run; null when it failed. Awaited before an answer is built from it. */
  readonly whole: Promise<CapturedRun | null>;
}

/** An upload's key as ClientSession.runJob spells it: a key, null (caches off), or undefined (at the end). */
export function sessionCacheKey(key: UploadKey): string | null | undefined {
  return key.kind === 'known' ? key.key : key.kind === 'off' ? null : undefined;
}
