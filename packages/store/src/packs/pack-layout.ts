// Where things sit inside a pack, and the one program sshcc writes into it.

export const PACK_LAYOUT = {
  /** The compiler driver, under the name the client runs it by. */
  driver: 'bin',
  /** gcc's programs as they were: cc1, cc1plus, as. */
  real: 'real',
  /** What the driver's `-B` finds under those names: wrappers that run the real ones under the packed loader. */
  programs: 'libexec',
  /** Every shared library the programs load, and the loader itself. */
  libraries: 'lib',
} as const;

/**
 * The wrapper gcc's driver runs as `<pack>/libexec/<name>`. The driver execs its programs by path, and a
 * packed cc1 started that way would get the volunteer's loader and libraries, which may be older than
 * the ones it was linked against. `$0` is the absolute path the driver used, so the pack may sit anywhere.
 */
export function packWrapper(loaderName: string, name: string): string {
  return [
    '#!/bin/sh',
    '# sshcc toolchain pack: run the packed program under the packed loader and libraries.',
    'd="${0%/*}/.."',
    `exec "$d/${PACK_LAYOUT.libraries}/${loaderName}" --library-path "$d/${PACK_LAYOUT.libraries}" "$d/${PACK_LAYOUT.real}/${name}" "$@"`,
    '',
  ].join('\n');
}
