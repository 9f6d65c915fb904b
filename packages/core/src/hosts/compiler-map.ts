import { hostSpecError } from './host-spec-error';
import type { CompilerMapping } from './types';

/** The option's name; its value is `CLIENT:REMOTE`. */
export const MAP_OPTION = 'map=';

const MAP_HINT = 'write map=CLIENT:REMOTE, two compiler names, e.g. map=aarch64-linux-gnu-gcc:gcc';

// Both names end up as a bare name the volunteer looks up on its PATH (and its allowlist vets), and the
// client's side is compared with the base name a build ran: a path or an option-like word can match
// neither, so it is refused here rather than silently never used.
const COMPILER_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,254}$/;

/** Reads one `map=CLIENT:REMOTE` option (`option` includes the `map=`), checked against those already read. */
export function readCompilerMapping(option: string, token: string, where: string, earlier: readonly CompilerMapping[]): CompilerMapping {
  const value = option.slice(MAP_OPTION.length);
  const colon = value.indexOf(':');
  if (colon === -1) throw hostSpecError(where, `bad compiler map "${option}" in "${token}"`, MAP_HINT);
  const client = value.slice(0, colon);
  const remote = value.slice(colon + 1);
  for (const name of [client, remote]) {
    if (!COMPILER_NAME.test(name) || name === '..') {
      throw hostSpecError(
        where,
        `bad compiler name "${name}" in "${option}" of "${token}"`,
        name === '' ? MAP_HINT : 'a compiler as a build runs it, without a directory: letters, digits, ".", "_", "+", "-"',
      );
    }
  }
  if (earlier.some((mapping) => mapping.client === client)) {
    throw hostSpecError(where, `"${client}" is mapped twice in "${token}"`, 'one map= per compiler name');
  }
  return { client, remote };
}

/** The name a host's map gives `client` (a compiler's base name), or null when the map leaves it alone. */
export function mappedCompiler(map: readonly CompilerMapping[], client: string): string | null {
  return map.find((mapping) => mapping.client === client)?.remote ?? null;
}
