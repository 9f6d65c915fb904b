import type { ResolvedSshConfig } from './resolved-ssh-config';
import { expandSshTokens, type SshTokenContext } from './expand-ssh-tokens';

export type LocalIdentity = Pick<SshTokenContext, 'home' | 'localUser' | 'localHostname' | 'uid' | 'env'>;

/** Expands `~`, `${VAR}` and `%` tokens in the path keywords, as ssh does just before using them. */
export function expandResolvedPaths(config: ResolvedSshConfig, local: LocalIdentity): ResolvedSshConfig {
  const ctx: SshTokenContext = {
    ...local,
    host: config.host,
    hostname: config.hostname,
    port: config.port,
    user: config.user,
    ...(config.proxyJump === undefined ? {} : { proxyJump: config.proxyJump }),
    ...(config.hostKeyAlias === undefined ? {} : { hostKeyAlias: config.hostKeyAlias }),
  };
  const expand = (value: string): string => expandSshTokens(value, ctx);
  // `none`, `SSH_AUTH_SOCK` and `$VAR` are IdentityAgent words, not paths.
  const agent = config.identityAgent;
  const agentIsPath = agent !== undefined && agent !== 'none' && agent !== 'SSH_AUTH_SOCK' && !/^\$[A-Za-z_]\w*$/.test(agent);
  return {
    ...config,
    identityFiles: config.identityFiles.map(expand),
    userKnownHostsFiles: config.userKnownHostsFiles.map(expand),
    globalKnownHostsFiles: config.globalKnownHostsFiles.map(expand),
    ...(agentIsPath ? { identityAgent: expand(agent) } : {}),
  };
}
