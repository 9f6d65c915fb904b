// Debug info and __FILE__ name the directory the compiler ran in. The volunteer runs in its job dir;
// mapping that dir to the client's cwd makes a `-g` object read as if it was built locally. If the
// client's own arguments map its cwd somewhere (-fdebug-prefix-map=/home/me/src=.), the job dir maps
// to that same place, since gcc applies only one map per path (the last one given that matches).

import { DEBUG_PREFIX_MAPS, MACRO_PREFIX_MAPS, mapPrefixPath } from '@sshcc/protocol';

/** The flags to append (after the client's own, so they win for paths in the job dir). */
export function prefixMapArgs(jobDir: string, clientCwd: string, args: readonly string[], versionLine: string): string[] {
  const flags = [`-fdebug-prefix-map=${jobDir}=${mapPrefixPath(clientCwd, args, DEBUG_PREFIX_MAPS)}`];
  if (supportsMacroPrefixMap(versionLine)) flags.push(`-fmacro-prefix-map=${jobDir}=${mapPrefixPath(clientCwd, args, MACRO_PREFIX_MAPS)}`);
  return flags;
}

/** Kept for callers of the server's name; the rule lives in @sshcc/protocol, shared with the cache key. */
export const mapPath = mapPrefixPath;

/** -fmacro-prefix-map arrived in gcc 8 and clang 10; older drivers reject it. */
export function supportsMacroPrefixMap(versionLine: string): boolean {
  const major = Number(/(\d+)\.\d+/.exec(versionLine)?.[1] ?? 0);
  return /clang/i.test(versionLine) ? major >= 10 : major >= 8;
}
