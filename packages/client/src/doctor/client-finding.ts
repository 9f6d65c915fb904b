import type { ClientFinding } from '@sshcc/core';
import { findRealCompiler, tryRealpath as realPath } from '../masquerade';
import { sshccKind } from './sshcc-kind';

/**
 * Which `sshcc` a build runs (the first on PATH, found as execvp would) and whether it is this one,
 * whether this one is the C shim or the launcher, and the C compiler the shim is built with.
 */
export function findClient(self: string, env: NodeJS.ProcessEnv, cwd: string): ClientFinding {
  // findRealCompiler skips the file it is given as `self`: given none, it finds the first sshcc on PATH;
  // given sshcc, the real compiler behind a masquerade link.
  const first = findRealCompiler('sshcc', { path: env.PATH, cwd, self: '' });
  // What packages/client/build/compile-shim.js runs.
  const cc = env.CC || 'cc';
  return {
    self: { path: self, kind: sshccKind(self) },
    onPath: first === undefined ? null : { path: first, kind: sshccKind(first), sameAsSelf: realPath(first) === realPath(self) },
    cc: { name: cc, path: findRealCompiler(cc, { path: env.PATH, cwd, self }) ?? null },
  };
}
