import { SshccError } from '@sshcc/core';

/** The oldest Node the server bundle is built for (esbuild target node20; engines >=20). */
export const MIN_NODE_MAJOR = 20;

/** `v20.20.2` → 20; throws a 'config' error naming `where` when node is missing or too old. */
export function checkNodeVersion(node: string | undefined, version: string | undefined, where: string): string {
  const hint = `install Node.js ${MIN_NODE_MAJOR} or newer there, where a non-interactive \`ssh host node --version\` finds it`;
  if (!node) throw new SshccError('config', `no node on the PATH of ${where}`, { hint });
  const match = /^v(\d+)\.\d+\.\d+/.exec(version ?? '');
  if (match === null) throw new SshccError('config', `${node} on ${where} does not say which version it is (${JSON.stringify(version ?? '')})`, { hint });
  if (Number(match[1]) < MIN_NODE_MAJOR) throw new SshccError('config', `${node} on ${where} is Node ${version}; sshcc-server needs ${MIN_NODE_MAJOR} or newer`, { hint });
  return version as string;
}
