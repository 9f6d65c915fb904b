// The agent's result cache: the same store as a volunteer's (@sshcc/store), under the user's own
// cache dir, consulted before a job is queued (a hit costs no network) and filled after a remote
// compile. It is a folder of its own, `<cache root>/agent`, not the volunteer's `<cache root>/volunteer`:
// on a machine that is both, the two would otherwise share one size limit (jobs of other users evicting
// this user's builds) and one set of counters (`sshcc cache stats` would count strangers' hits).
import { join } from 'node:path';
import type { JobResult, JobSpec } from '@sshcc/protocol';
import { cacheSettings, ResultStore, type CachedResult } from '@sshcc/store';
import type { CompilerFamily } from '@sshcc/core';
import { DirectCache } from './direct-cache';
import { RecentKeysFile } from './recent-keys-file';

/** Command lines whose last cache key is remembered (~170 bytes each in the file). */
const RECENT_COMMANDS = 20_000;

/** An agent hit: what the client is answered, and the outputs under the names this job's spec gives. */
export interface AgentCacheHit {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** By the job dir's names (spec.output, spec.extraOutputs), as JobResult.outputs has them. */
  readonly outputs: ReadonlyMap<string, Buffer>;
}

export interface AgentCache {
  /** The store itself (stats, size, clear). */
  readonly results: ResultStore;
  /** The stored answer for `key` with outputs named as `spec` names them; null on a miss. Never rejects. */
  lookup(key: string, spec: Pick<JobSpec, 'output' | 'extraOutputs'>): Promise<AgentCacheHit | null>;
  /** Stores a remote answer if it is a successful compile with every output; false otherwise. Never rejects. */
  store(key: string, spec: Pick<JobSpec, 'output' | 'extraOutputs'>, result: JobResult): Promise<boolean>;
  /** Manifests that find a result key without running cpp (direct mode), kept beside the store. */
  readonly direct: DirectCache;
  /** The key each recent command line last had, kept beside the store across agent restarts. */
  readonly recentKeys: Pick<RecentKeysFile, 'get' | 'set'>;
  /** Writes what is pending (the recent keys) before the agent exits. */
  close(): void;
}

/** Direct mode's manifests, beside the result store's entries in the agent cache's dir. */
export function manifestsDir(cacheDir: string): string {
  return join(cacheDir, 'manifests');
}

/** The user's agent cache, or null when SSHCC_CACHE=0. Throws a 'config' SshccError for a bad SSHCC_CACHE_SIZE. */
export function openAgentCache(env: NodeJS.ProcessEnv): AgentCache | null {
  const settings = cacheSettings('agent', env);
  if (settings === null) return null;
  const store = new ResultStore(settings);
  const recentKeys = new RecentKeysFile(join(settings.dir, 'recent-commands.json'), { capacity: RECENT_COMMANDS });
  return {
    results: store,
    direct: new DirectCache({ dir: manifestsDir(settings.dir) }),
    recentKeys,
    close: () => recentKeys.flush(),
    async lookup(key, spec) {
      const names = [spec.output, ...spec.extraOutputs];
      const hit = await store.get(key).catch(() => null);
      if (hit === null || hit.outputs.length !== names.length) return null;
      return {
        exitCode: hit.exitCode,
        stdout: hit.stdout,
        stderr: hit.stderr,
        outputs: new Map(hit.outputs.map((output, i) => [names[i] as string, output.data])),
      };
    },
    async store(key, spec, result) {
      if (result.kind !== 'compiled' || result.exitCode !== 0 || result.signal !== null) return false;
      const outputs: CachedResult['outputs'][number][] = [];
      for (const name of [spec.output, ...spec.extraOutputs]) {
        const data = result.outputs.get(name);
        if (data === undefined) return false;
        outputs.push({ name, data });
      }
      return store.put(key, { exitCode: 0, stdout: result.stdout, stderr: result.stderr, outputs }).catch(() => false);
    },
  };
}

/**
 * Whether a hit can be the answer: a gcc answer with diagnostics only when this compile's would be exact
 * too (ARCHITECTURE.md, "Diagnostics"); else it goes on as a miss.
 */
export function hitAnswers(family: CompilerFamily, hit: AgentCacheHit, exactDiagnostics: boolean): boolean {
  return !(family === 'gcc' && hit.stderr.length > 0 && !exactDiagnostics);
}
