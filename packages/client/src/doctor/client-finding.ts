import type { ClientFinding } from '@sshcc/core';
import { findRealCompiler, tryRealpath as realPath } from '../masquerade';
import { sshccKind } from './sshcc-kind';

/**
 * Which `sshcc` a build runs (the first on PATH, found as execvp would) and whether it is this one, and
 * whether this one is the C shim or the launcher.
 */
export function findClient(self: string, path: string | undefined, cwd: string): ClientFinding {
  // findRealCompiler skips the file it is given as `self`; given none, it returns the first on PATH.
  const first = findRealCompiler('sshcc', { path, cwd, self: '' });
  return {
    self: { path: self, kind: sshccKind(self) },
    onPath: first === undefined ? null : { path: first, kind: sshccKind(first), sameAsSelf: realPath(first) === realPath(self) },
  };
}
