// Debug info and __FILE__ name the directory the compiler ran in; the volunteer maps its job dir to the
// client's cwd. The rule lives in @sshcc/protocol: the cache key and the agent's sampled verification
// (which compiles a job here as a volunteer would) need the same flags.

export { prefixMapArgs, supportsMacroPrefixMap, mapPrefixPath as mapPath } from '@sshcc/protocol';
