// Debug info and __FILE__ name the directory the compiler ran in; the volunteer maps its job dir to the
// client's cwd. The rule lives in @sshcc/protocol: the cache key and the agent's sampled verification
// (which compiles a job here as a volunteer would) need the same flags.
import { DEBUG_PREFIX_MAPS, MACRO_PREFIX_MAPS, prefixMapOf } from '@sshcc/protocol';

export { prefixMapArgs, supportsMacroPrefixMap, mapPrefixPath as mapPath } from '@sshcc/protocol';

/**
 * The flags for a compile run in a mirror of the client's files (`<root><client path>`): the root maps
 * to nothing, so every path reads as the client's own; and each of the client's own maps of an absolute
 * path is repeated under the root, in the client's order after the root's, so that for any mirrored path
 * the map gcc picks (the last one given that matches) maps it as it would have mapped the client's path.
 */
export function mirrorPrefixMapArgs(root: string, args: readonly string[]): string[] {
  const flags = [`-fdebug-prefix-map=${root}=`, `-fmacro-prefix-map=${root}=`];
  for (const [kinds, flag] of [
    [DEBUG_PREFIX_MAPS, '-fdebug-prefix-map='],
    [MACRO_PREFIX_MAPS, '-fmacro-prefix-map='],
  ] as const) {
    for (const arg of args) {
      const map = prefixMapOf(arg, kinds);
      if (map?.from.startsWith('/')) flags.push(`${flag}${root}${map.from}=${map.to}`);
    }
  }
  return flags;
}
