import { DEFAULT_LOCALHOST_SLOTS } from './host-limits';
import { hostSpecError } from './host-spec-error';
import { parseSlots } from './parse-count';
import type { LocalHost } from './types';

/**
 * `localhost[/N]` exactly; anything else (`localhost:2222`, `@localhost`, `me@localhost`) is not this
 * and goes through sshd like any host, which is how a loopback volunteer is listed. Returns `null` then.
 */
export function parseLocalEntry(token: string, where: string): LocalHost | null {
  const match = /^localhost(?=$|[/,])(?:\/([^,]*))?(,.*)?$/.exec(token);
  if (match === null) return null;
  const [, count, options] = match;
  if (options !== undefined) {
    throw hostSpecError(where, `"${token}": localhost takes no options`, 'it compiles on this machine; write "@localhost" to go through its sshd');
  }
  if (count === undefined) return { kind: 'local', spec: token, slots: DEFAULT_LOCALHOST_SLOTS };
  return { kind: 'local', spec: token, slots: parseSlots(count, token, where) };
}
