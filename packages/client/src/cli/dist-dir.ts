import { join, resolve } from 'node:path';

/**
 * The client's dist/ folder: `sshcc`, sshcc-thin.js, agent/main.js. Found from this file's folder, which
 * is dist/cli both in tsc's output (dist/cli/dist-dir.js) and in an installed package, whose CLI is one
 * bundle at dist/cli/main.js: code in deeper folders (cli/commands/) asks here rather than counting `..`.
 */
export function distDir(): string {
  return resolve(__dirname, '..');
}

/** dist/sshcc: the C shim, or a launcher (sh) where it did not build or is not built yet. */
export function sshccExecutable(): string {
  return join(distDir(), 'sshcc');
}

/**
 * The one-file server of an installed package, at bin/sshcc-server.js beside dist/ (the layout that
 * server's `--print-sshd-config` names). A checkout has none there: its is @sshcc/server's build.
 */
export function packagedServerBundle(): string {
  return join(distDir(), '..', 'bin', 'sshcc-server.js');
}
