import { MAP_OPTION, readCompilerMapping } from './compiler-map';
import { hostSpecError } from './host-spec-error';
import type { CompilerMapping } from './types';

/** Which grammar a list is read in: sshcc's own, or DISTCC_HOSTS's (see parse-distcc-entry.ts). */
export type HostDialect = 'sshcc' | 'distcc';

interface HostOptionRow {
  readonly name: string;
  /** What the option does to payload compression; `null`: accepted and ignored. */
  readonly compression: boolean | null;
  readonly dialects: readonly HostDialect[];
}

// zstd is on by default, so `zstd` and distcc's `lzo` only restate it; `nozstd` is the one that changes
// anything. distcc's `cpp` (pump mode) and `auth` (GSSAPI over TCP) mean nothing over SSH with local
// preprocessing, so a DISTCC_HOSTS list keeps working and an sshcc list is told (see cppError).
const HOST_OPTIONS: readonly HostOptionRow[] = [
  { name: 'zstd', compression: true, dialects: ['sshcc', 'distcc'] },
  { name: 'nozstd', compression: false, dialects: ['sshcc', 'distcc'] },
  { name: 'lzo', compression: true, dialects: ['sshcc', 'distcc'] },
  { name: 'cpp', compression: null, dialects: ['distcc'] },
  { name: 'auth', compression: null, dialects: ['distcc'] },
];

function findOption(name: string, dialect: HostDialect): HostOptionRow | undefined {
  const bare = dialect === 'distcc' && name.startsWith('auth=') ? 'auth' : name; // distcc's auth=<principal>
  return HOST_OPTIONS.find((row) => row.name === bare && row.dialects.includes(dialect));
}

function knownOptions(dialect: HostDialect): string {
  const names = HOST_OPTIONS.filter((row) => row.dialects.includes(dialect)).map((row) => row.name);
  // distcc has no compiler map: a DISTCC_HOSTS list must stay readable by distcc itself.
  if (dialect === 'sshcc') names.push(`${MAP_OPTION}CLIENT:REMOTE`);
  return `known options: ${names.join(', ')}`;
}

export interface HostOptions {
  /** zstd on payloads; on unless the entry says `nozstd`. */
  readonly compression: boolean;
  readonly compilerMap: readonly CompilerMapping[];
}

/** Checks an entry's `,option` list and returns what it asks for. */
export function readHostOptions(options: readonly string[], token: string, where: string, dialect: HostDialect): HostOptions {
  let on: string | undefined;
  let off: string | undefined;
  const compilerMap: CompilerMapping[] = [];
  for (const name of options) {
    if (name === '') throw hostSpecError(where, `empty option in "${token}"`, knownOptions(dialect));
    if (dialect === 'sshcc' && name.startsWith(MAP_OPTION)) {
      compilerMap.push(readCompilerMapping(name, token, where, compilerMap));
      continue;
    }
    const row = findOption(name, dialect);
    if (row === undefined) {
      if (name === 'cpp') {
        throw hostSpecError(
          where,
          `option "cpp" in "${token}" asks for distcc's pump mode, which sshcc does not have`,
          'sshcc always preprocesses on this machine; remove ",cpp"',
        );
      }
      throw hostSpecError(where, `unknown option "${name}" in "${token}"`, knownOptions(dialect));
    }
    if (row.compression === true) on ??= name;
    if (row.compression === false) off ??= name;
  }
  if (on !== undefined && off !== undefined) {
    throw hostSpecError(where, `options "${on}" and "${off}" contradict each other in "${token}"`);
  }
  return { compression: off === undefined, compilerMap };
}
