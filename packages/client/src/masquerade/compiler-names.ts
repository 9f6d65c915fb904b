/** The names `sshcc masquerade DIR` links to sshcc. */
export const MASQUERADE_COMPILERS = ['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++'] as const;

/**
 * sshcc reached through a link whose name does not start with "sshcc" was invoked as that compiler.
 * The shim and the sh launcher apply the same test to argv[0].
 */
export function isMasqueradeName(argv0: string): boolean {
  const base = argv0.slice(argv0.lastIndexOf('/') + 1);
  return !base.startsWith('sshcc');
}
