import { isAbsolute } from 'node:path';
import { findRealCompiler, type FindCompilerOptions } from '../masquerade/find-real-compiler';
import type { PathWatches } from './path-watches';
import { WatchedMemo } from './watched-memo';

export type LookupOptions = Omit<FindCompilerOptions, 'probed'>;

/**
 * findRealCompiler, remembered until a watch sees a change to any path it inspected (a compiler
 * installed or removed in a PATH directory, a link retargeted, sshcc itself replaced): a build's compiles
 * ask the same question thousands of times, and each answer cost a dozen stats, an access and two realpaths.
 * Where the paths cannot be watched, it is looked up every time.
 */
export class CompilerLookup {
  private readonly found = new WatchedMemo<string | undefined>();

  constructor(private readonly watches: PathWatches) {}

  find(name: string, options: LookupOptions): string | undefined {
    const key = lookupKey(name, options);
    const known = this.found.get(key);
    if (known !== undefined) return known.value;
    const probed: string[] = [];
    const first = findRealCompiler(name, { ...options, probed });
    const validity = this.watches.cover(probed);
    if (validity === null) return first;
    // Looked up again under the watches: a change made before they started is in this answer.
    const again: string[] = [];
    const compiler = findRealCompiler(name, { ...options, probed: again });
    if (compiler === first && again.join('\0') === probed.join('\0')) this.found.set(key, compiler, validity);
    else validity.end();
    return compiler;
  }
}

/** What the answer depends on besides the files: the client's cwd only where a relative name or PATH entry uses it. */
function lookupKey(name: string, options: LookupOptions): string {
  const usesCwd = name.includes('/') || (options.path !== undefined && options.path.split(':').some((entry) => !isAbsolute(entry)));
  return JSON.stringify([name, options.self, options.path ?? null, usesCwd ? options.cwd : null]);
}
