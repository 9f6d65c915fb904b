// Debug info and __FILE__ name the directory the compiler ran in. The volunteer runs in its job dir and
// maps it to the client's cwd, or to wherever the client's own prefix maps send that cwd. Both ends need
// the same answer: the server to build the flags, the cache key to know what reaches the object, and the
// agent's sampled verification to compile a job here exactly as the volunteer did.

/** The client options that rewrite paths in debug info, and in __FILE__ / macro expansions. */
export const DEBUG_PREFIX_MAPS = ['-fdebug-prefix-map=', '-ffile-prefix-map='] as const;
export const MACRO_PREFIX_MAPS = ['-fmacro-prefix-map=', '-ffile-prefix-map='] as const;

/** The map `arg` gives if it is one of `kinds` (`-fdebug-prefix-map=OLD=NEW`), else null. */
export function prefixMapOf(arg: string, kinds: readonly string[]): { readonly from: string; readonly to: string } | null {
  const kind = kinds.find((k) => arg.startsWith(k));
  if (!kind) return null;
  const spec = arg.slice(kind.length);
  const eq = spec.indexOf('='); // gcc splits at the first '='
  return eq < 0 ? null : { from: spec.slice(0, eq), to: spec.slice(eq + 1) };
}

/** `path` as the client's own maps of `kinds` rewrite it: the last matching map wins, as in gcc. */
export function mapPrefixPath(path: string, args: readonly string[], kinds: readonly string[]): string {
  for (let i = args.length - 1; i >= 0; i--) {
    const map = prefixMapOf(args[i] as string, kinds);
    if (map !== null && path.startsWith(map.from)) return map.to + path.slice(map.from.length);
  }
  return path;
}

/**
 * The flags a compile in `jobDir` appends (after the client's own, so they win for paths in the job dir)
 * so that its objects read as if built in `clientCwd`. If the client's own arguments map its cwd somewhere
 * (-fdebug-prefix-map=/home/me/src=.), the job dir maps to that same place, since gcc applies only one map
 * per path (the last one given that matches).
 */
export function prefixMapArgs(jobDir: string, clientCwd: string, args: readonly string[], versionLine: string): string[] {
  const flags = [`-fdebug-prefix-map=${jobDir}=${mapPrefixPath(clientCwd, args, DEBUG_PREFIX_MAPS)}`];
  if (supportsMacroPrefixMap(versionLine)) flags.push(`-fmacro-prefix-map=${jobDir}=${mapPrefixPath(clientCwd, args, MACRO_PREFIX_MAPS)}`);
  return flags;
}

/** -fmacro-prefix-map arrived in gcc 8 and clang 10; older drivers reject it. */
export function supportsMacroPrefixMap(versionLine: string): boolean {
  const major = Number(/(\d+)\.\d+/.exec(versionLine)?.[1] ?? 0);
  return /clang/i.test(versionLine) ? major >= 10 : major >= 8;
}
