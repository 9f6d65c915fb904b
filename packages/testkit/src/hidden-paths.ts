import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';

// A volunteer that lacks something this machine has (node, a compiler): its sshd runs in a private mount
// namespace where those paths are covered, a file by /dev/null (sh's `command -v` skips it, bash's names it but it does not run),
// a folder by an empty tmpfs. The mounts exist only inside that namespace and end with it; sshd is exec'd
// in place, so its pid (and the pid file check) stays the launcher's.

/** Single-quotes a word for /bin/sh. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A file bind-mounted over another in the volunteer's namespace: `[from, over]` (a compiler that is another build, say). */
export type Replacement = readonly [from: string, over: string];

/** The command prefix that covers `paths`, puts each replacement's file over its target, then execs what follows it (sshd and its arguments). */
export function hidingLauncher(paths: readonly string[], replacements: readonly Replacement[] = []): string[] {
  const mounts = [...new Set(paths.map((path) => realpathSync(path)))].map((path) =>
    statSync(path).isDirectory() ? `mount -t tmpfs -o size=4k,mode=755 sshcc-hidden ${quote(path)}` : `mount --bind /dev/null ${quote(path)}`,
  );
  for (const [from, over] of replacements) mounts.push(`mount --bind ${quote(realpathSync(from))} ${quote(realpathSync(over))}`);
  return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${[...mounts, 'exec "$@"'].join(' && ')}`, 'sh'];
}

let verdict: { reason: string | undefined } | undefined;

/**
 * Why a volunteer with hidden paths cannot start here (not root, or namespaces refused), or undefined when
 * it can. Synchronous and cached, so a test file can decide at collection time which tests it defines.
 */
export function hidingUnavailable(): string | undefined {
  verdict ??= { reason: probe() };
  return verdict.reason;
}

function probe(): string | undefined {
  const uid = process.getuid?.();
  if (uid !== 0) return `not root (uid ${uid ?? 'unknown'}): covering paths for a volunteer's sshd needs a mount namespace`;
  const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=4k sshcc-probe /mnt'], { encoding: 'utf8' });
  if (run.status !== 0) return `\`unshare --mount\` failed: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}`;
  return undefined;
}
