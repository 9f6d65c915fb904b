import type { ResolvedSshConfig, StrictHostKeyChecking } from './resolved-ssh-config';

// `ssh -G` prints one `keyword value` line per option, keywords in lower case, every option with its
// effective value (defaults included), repeated keywords (identityfile) on repeated lines and lists
// (userknownhostsfile) space-separated on one line. Unset optional values are left out or printed as
// `none`.

function words(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(/\s+/).filter((word) => word !== '');
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value.toLowerCase() === 'none' ? undefined : value;
}

function seconds(value: string | undefined, keyword: string): number | undefined {
  const text = optional(value);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`ssh -G printed a non-numeric ${keyword}: ${JSON.stringify(text)}`);
  return Number(text);
}

function yes(value: string | undefined): boolean {
  return value !== undefined && ['yes', 'true'].includes(value.toLowerCase());
}

export function parseStrictHostKeyChecking(value: string | undefined): StrictHostKeyChecking {
  switch (value?.toLowerCase()) {
    case 'yes':
    case 'true':
      return 'yes';
    case 'no':
    case 'false':
    case 'off':
      return 'no';
    case 'accept-new':
      return 'accept-new';
    default:
      return 'ask';
  }
}

/** `ssh -G <host>`'s output as sshcc's view of the destination (paths not yet expanded). */
export function parseSshGOutput(text: string, host: string): ResolvedSshConfig {
  const single = new Map<string, string>();
  const identityFiles: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const space = line.search(/\s/);
    const keyword = (space === -1 ? line : line.slice(0, space)).toLowerCase();
    const value = space === -1 ? '' : line.slice(space + 1).trim();
    if (keyword === 'identityfile') identityFiles.push(value);
    else if (!single.has(keyword)) single.set(keyword, value);
  }

  const hostname = optional(single.get('hostname')) ?? host;
  const user = optional(single.get('user'));
  if (user === undefined) throw new Error('ssh -G printed no user');
  const port = seconds(single.get('port'), 'port') ?? 22;
  const interval = seconds(single.get('serveraliveinterval'), 'serveraliveinterval');
  const countMax = seconds(single.get('serveralivecountmax'), 'serveralivecountmax');
  const connectTimeout = seconds(single.get('connecttimeout'), 'connecttimeout');
  const proxyJump = optional(single.get('proxyjump'));
  const proxyCommand = optional(single.get('proxycommand'));
  // `none` is kept: it means "no agent", unlike an absent line ("use $SSH_AUTH_SOCK").
  const identityAgent = single.get('identityagent') || undefined;
  const hostKeyAlias = optional(single.get('hostkeyalias'));

  return {
    host,
    hostname,
    user,
    port,
    identityFiles,
    identitiesOnly: yes(single.get('identitiesonly')),
    ...(proxyJump === undefined ? {} : { proxyJump }),
    ...(proxyCommand === undefined ? {} : { proxyCommand }),
    ...(connectTimeout === undefined ? {} : { connectTimeout }),
    ...(interval === undefined || interval === 0 ? {} : { serverAliveInterval: interval }),
    ...(countMax === undefined ? {} : { serverAliveCountMax: countMax }),
    userKnownHostsFiles: words(single.get('userknownhostsfile')),
    globalKnownHostsFiles: words(single.get('globalknownhostsfile')),
    strictHostKeyChecking: parseStrictHostKeyChecking(single.get('stricthostkeychecking')),
    ...(identityAgent === undefined ? {} : { identityAgent }),
    ...(hostKeyAlias === undefined ? {} : { hostKeyAlias }),
  };
}
