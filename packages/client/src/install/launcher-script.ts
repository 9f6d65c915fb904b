import { shellQuote } from '../pool/remote-server-command';

export interface LauncherInput {
  /** The node found when installing, or the runtime installed for it, by absolute path: a login shell's PATH may lack it later. */
  readonly node: string;
  /** The runtime's `lib/` when its node loads libraries the volunteer may lack; else absent. */
  readonly libraryPath?: string | null;
  readonly bundle: string;
  readonly clientVersion: string;
}

/**
 * `sshcc-server` in the install folder: the command the agent execs. It runs the bundle with the node
 * found (or installed) at install time, else whatever `node` is on PATH. NODE_EXTRA_CA_CERTS is dropped:
 * loading it costs ~40 ms of every start and the server opens no TLS connection. A runtime's own libraries
 * are put on LD_LIBRARY_PATH only for that runtime: a node on PATH brings its own.
 */
export function launcherScript({ node, libraryPath, bundle, clientVersion }: LauncherInput): string {
  const found = libraryPath
    ? `if [ -x "$node" ]; then LD_LIBRARY_PATH=${shellQuote(libraryPath)}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; export LD_LIBRARY_PATH; else node=node; fi`
    : '[ -x "$node" ] || node=node';
  return `#!/bin/sh
# sshcc-server launcher, written by \`sshcc install-server\` (sshcc ${clientVersion}); run that again to update it.
node=${shellQuote(node)}
${found}
unset NODE_EXTRA_CA_CERTS
exec "$node" ${shellQuote(bundle)} "$@"
`;
}
