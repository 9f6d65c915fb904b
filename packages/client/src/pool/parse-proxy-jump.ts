// ProxyJump / `ssh -J` values: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated, the
// first hop first. IPv6 addresses come in brackets.

export interface JumpHop {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

export class ProxyJumpError extends Error {}

function parseHop(text: string): JumpHop {
  let rest = text.startsWith('ssh://') ? text.slice('ssh://'.length) : text;
  if (text.startsWith('ssh://')) rest = rest.replace(/\/$/, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (user === '') throw new ProxyJumpError(`empty user in ProxyJump hop "${text}"`);
  }
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (rest.split(':').length === 2) {
    [host, portText] = rest.split(':') as [string, string];
  }
  if (host === '' || /[\s/]/.test(host) || host.startsWith('-')) throw new ProxyJumpError(`bad host in ProxyJump hop "${text}"`);
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new ProxyJumpError(`bad port in ProxyJump hop "${text}"`);
  }
  return { host, ...(user === undefined ? {} : { user }), ...(port === undefined ? {} : { port }) };
}

export function parseProxyJump(value: string): JumpHop[] {
  return value.split(',').map((hop) => parseHop(hop.trim()));
}
