import { createHash } from 'node:crypto';

// ssh_config(5) TOKENS and ENVIRONMENT VARIABLES, for the keywords sshcc reads as paths (IdentityFile,
// UserKnownHostsFile, IdentityAgent). OpenSSH 9.2's `ssh -G` prints IdentityFile unexpanded, so the
// expansion happens here for both resolvers.

export interface SshTokenContext {
  /** %n: the name as given on the command line. */
  readonly host: string;
  /** %h */
  readonly hostname: string;
  /** %p */
  readonly port: number;
  /** %r */
  readonly user: string;
  /** %d and `~` */
  readonly home: string;
  /** %u */
  readonly localUser: string;
  /** %l (%L is its first label) */
  readonly localHostname: string;
  /** %i */
  readonly uid: number;
  /** %j */
  readonly proxyJump?: string;
  /** %k: HostKeyAlias, else the name as given. */
  readonly hostKeyAlias?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export class SshTokenError extends Error {}

function tokenValue(letter: string, ctx: SshTokenContext): string {
  switch (letter) {
    case '%':
      return '%';
    case 'C':
      return createHash('sha1').update(`${ctx.localHostname}${ctx.hostname}${ctx.port}${ctx.user}`).digest('hex');
    case 'd':
      return ctx.home;
    case 'h':
      return ctx.hostname;
    case 'i':
      return String(ctx.uid);
    case 'j':
      return ctx.proxyJump ?? '';
    case 'k':
      return ctx.hostKeyAlias ?? ctx.host;
    case 'L':
      return ctx.localHostname.split('.')[0] ?? '';
    case 'l':
      return ctx.localHostname;
    case 'n':
      return ctx.host;
    case 'p':
      return String(ctx.port);
    case 'r':
      return ctx.user;
    case 'u':
      return ctx.localUser;
    default:
      throw new SshTokenError(`unknown token %${letter}`);
  }
}

/** Expands a leading `~` / `~/`, `${VAR}` and `%x` tokens the way ssh does for path keywords. */
export function expandSshTokens(value: string, ctx: SshTokenContext): string {
  let text = value;
  if (text === '~' || text.startsWith('~/')) text = ctx.home + text.slice(1);
  // One pass, as ssh does, so a % inside a variable's value is not read as a token.
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|%(.?)/g, (_match, name: string | undefined, letter: string | undefined) => {
    if (name !== undefined) {
      const found = ctx.env[name];
      if (found === undefined) throw new SshTokenError(`environment variable \${${name}} is not set`);
      return found;
    }
    if (letter === undefined || letter === '') throw new SshTokenError('a lone % at the end');
    return tokenValue(letter, ctx);
  });
}
