import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * `$XDG_CACHE_HOME/sshcc`, else `~/.cache/sshcc` (the XDG base directory rule: a relative
 * XDG_CACHE_HOME is ignored). The volunteer's store and the agent's are folders inside it.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'sshcc');
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
  return join(home, '.cache', 'sshcc');
}
