import { shellQuote } from '../pool/remote-server-command';

export interface LauncherInput {
  /** The node found when installing, by absolute path: a login shell's PATH may lack it later. */
  readonly node: string;
  readonly bundle: string;
  readonly clientVersion: string;
}

/**
 * `sshcc-server` in the install folder: the command the agent execs. It runs the bundle with the node
 * found at install time, else whatever `node` is on PATH. NODE_EXTRA_CA_CERTS is dropped: loading it
 * costs ~40 ms of every start and the server opens no TLS connection.
 */
export function launcherScript({ node, bundle, clientVersion }: LauncherInput): string {
  return `#!/bin/sh
# sshcc-server launcher, written by \`sshcc install-server\` (sshcc ${clientVersion}); run that again to update it.
node=${shellQuote(node)}
[ -x "$node" ] || node=node
unset NODE_EXTRA_CA_CERTS
exec "$node" ${shellQuote(bundle)} "$@"
`;
}
