// Puts a loopback TCP proxy (testkit) between the agent and one volunteer, by pointing that volunteer's
// ssh_config Host block at the proxy's port and telling known_hosts the same key lives there.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { startTcpProxy, type TcpProxy } from '@sshcc/testkit';
import type { BuildSession } from './build-session';

/** Call before the first build: the agent reads the ssh config when it first connects. */
export async function routeThroughProxy(session: BuildSession, i: number): Promise<TcpProxy> {
  const volunteer = session.volunteers[i];
  const config = session.config;
  if (volunteer === undefined || config === null) throw new Error(`no volunteer ${i} in the session`);
  const proxy = await startTcpProxy({ targetPort: volunteer.port });
  const text = readFileSync(config.sshConfigFile, 'utf8');
  const block = new RegExp(`(Host ${volunteer.alias}\\n(?:  .*\\n)*?  Port )${volunteer.port}\\n`);
  if (!block.test(text)) throw new Error(`no Port line for ${volunteer.alias} in ${config.sshConfigFile}`);
  writeFileSync(config.sshConfigFile, text.replace(block, `$1${proxy.port}\n`));
  appendFileSync(config.knownHostsFile, `[127.0.0.1]:${proxy.port} ${volunteer.hostPublicKey}\n`);
  return proxy;
}
