import type { SSHConfig as SSHConfigClass } from 'ssh-config' with { 'resolution-mode': 'import' };
import type { ResolvedSshConfig } from './resolved-ssh-config';
import { parseStrictHostKeyChecking } from './parse-ssh-g-output';

// Used only where no `ssh` binary exists. It reads one file (no Include, no system-wide config) and
// fills in the defaults OpenSSH 9.2 prints with `ssh -G`, so the rest of sshcc cannot tell the two apart.

// ssh-config ships as an ES module with a CommonJS build beside it; this package is CommonJS, so it takes
// the `require` build while the types come from the ES declarations.
const { SSHConfig } = require('ssh-config') as { SSHConfig: typeof SSHConfigClass };

/** ssh's own list when the config names no IdentityFile (readconf.c fill_default_options). */
export const DEFAULT_IDENTITY_FILES = [
  '~/.ssh/id_rsa',
  '~/.ssh/id_ecdsa',
  '~/.ssh/id_ecdsa_sk',
  '~/.ssh/id_ed25519',
  '~/.ssh/id_ed25519_sk',
  '~/.ssh/id_xmss',
  '~/.ssh/id_dsa',
] as const;

export const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'] as const;
export const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'] as const;

export interface FallbackOptions {
  readonly user?: string;
  readonly port?: number;
  /** The user ssh would log in as when nothing names one. */
  readonly localUser: string;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(/\s+/)).filter((item) => item !== '');
}

function number(value: string | string[] | undefined, keyword: string): number | undefined {
  const text = first(value);
  if (text === undefined || text.toLowerCase() === 'none') return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${keyword} is not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** The config text's answer for `host`, as `ssh -G` would print it (paths not yet expanded). */
export function resolveWithSshConfigPackage(text: string, host: string, options: FallbackOptions): ResolvedSshConfig {
  const computed = SSHConfig.parse(text).compute({ Host: host, ...(options.user === undefined ? {} : { User: options.user }) }, {
    ignoreCase: true,
  });
  const get = (keyword: string): string | string[] | undefined => computed[keyword];
  // HostName takes %h (the name as given) and %%.
  const hostname = first(get('hostname'))?.replace(/%([%h])/g, (_m, letter: string) => (letter === 'h' ? host : '%')) ?? host;
  const identityFiles = list(get('identityfile'));
  const proxyJump = first(get('proxyjump'));
  const proxyCommand = first(get('proxycommand'));
  const connectTimeout = number(get('connecttimeout'), 'ConnectTimeout');
  const interval = number(get('serveraliveinterval'), 'ServerAliveInterval');
  const identityAgent = first(get('identityagent'));
  const hostKeyAlias = first(get('hostkeyalias'));
  const userKnown = list(get('userknownhostsfile'));
  const globalKnown = list(get('globalknownhostsfile'));

  return {
    host,
    hostname,
    user: options.user ?? first(get('user')) ?? options.localUser,
    port: options.port ?? number(get('port'), 'Port') ?? 22,
    identityFiles: identityFiles.length > 0 ? identityFiles : [...DEFAULT_IDENTITY_FILES],
    identitiesOnly: ['yes', 'true'].includes(first(get('identitiesonly'))?.toLowerCase() ?? ''),
    ...(proxyJump === undefined || proxyJump.toLowerCase() === 'none' ? {} : { proxyJump }),
    ...(proxyCommand === undefined || proxyCommand.toLowerCase() === 'none' ? {} : { proxyCommand }),
    ...(connectTimeout === undefined ? {} : { connectTimeout }),
    ...(interval === undefined || interval === 0 ? {} : { serverAliveInterval: interval }),
    serverAliveCountMax: number(get('serveralivecountmax'), 'ServerAliveCountMax') ?? 3,
    userKnownHostsFiles: userKnown.length > 0 ? userKnown : [...DEFAULT_USER_KNOWN_HOSTS],
    globalKnownHostsFiles: globalKnown.length > 0 ? globalKnown : [...DEFAULT_GLOBAL_KNOWN_HOSTS],
    strictHostKeyChecking: parseStrictHostKeyChecking(first(get('stricthostkeychecking'))),
    ...(identityAgent === undefined ? {} : { identityAgent }),
    ...(hostKeyAlias === undefined ? {} : { hostKeyAlias }),
  };
}
