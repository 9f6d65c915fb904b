import { isSshccError, SshccError } from '@sshcc/core';

// One place turns what net and ssh2 throw into sshcc's failure kinds, so the pool's policy (back the host
// off, try elsewhere) and the one-line messages do not depend on ssh2's wording anywhere else.

interface LowLevelError extends Error {
  /** ssh2: client-socket, client-timeout, client-authentication, client-dns, protocol, handshake, agent. */
  level?: string;
  /** net: ECONNREFUSED …; ssh2 DISCONNECT: the numeric reason. */
  code?: string | number;
}

const SOCKET_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ECONNABORTED: 'connection aborted',
};

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);

/** Socket codes that say the machine, not one connection, is out of reach. */
const UNREACHABLE_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', ...DNS_CODES]);

export interface SshErrorContext {
  /** `user@host:port` as sshcc connected to it (HostName, not the alias). */
  readonly destination: string;
  /** What authentication offered, for the auth failure's hint. */
  readonly triedAuth?: readonly string[];
}

export function classifySshError(error: unknown, ctx: SshErrorContext): SshccError {
  if (isSshccError(error)) return error;
  // Duck-typed: errors from Node's core can come from another realm (vm, jest) and fail instanceof.
  const err = (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string'
    ? error
    : new Error(String(error))) as LowLevelError;
  const dest = ctx.destination;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const make = (kind: 'connect' | 'auth' | 'host-key' | 'protocol', message: string, hint?: string): SshccError =>
    new SshccError(kind, message, { cause: err, ...(hint === undefined ? {} : { hint }) });

  if (code !== undefined && DNS_CODES.has(code)) return make('connect', `cannot resolve the host name of ${dest}`);
  if (code !== undefined && SOCKET_REASONS[code] !== undefined) return make('connect', `cannot connect to ${dest}: ${SOCKET_REASONS[code]}`);
  if (err.level === 'client-dns') return make('connect', `cannot resolve the host name of ${dest}`);
  if (err.level === 'client-authentication' || /authentication/i.test(err.message)) {
    const tried = ctx.triedAuth && ctx.triedAuth.length > 0 ? `tried ${ctx.triedAuth.join(', ')}` : 'no key to offer';
    return make('auth', `${dest} refused every key`, tried);
  }
  if (/^Host denied/.test(err.message)) return make('host-key', `host key of ${dest} refused`);
  if (err.message === 'Keepalive timeout') return make('connect', `${dest} stopped answering (keepalive timeout)`);
  if (err.level === 'client-timeout') return make('connect', `timed out connecting to ${dest}`);
  if (err.message === 'Connection lost before handshake') return make('connect', `${dest} closed the connection before the ssh handshake`);
  if (err.level === 'client-socket') return make('connect', `cannot connect to ${dest}: ${err.message}`);
  if (err.level === 'protocol' || err.level === 'handshake') return make('protocol', `ssh handshake with ${dest} failed: ${err.message}`);
  if (typeof err.code === 'number') return make('connect', `${dest} disconnected: ${err.message}`);
  return make('connect', `connection to ${dest} failed: ${err.message}`);
}

/**
 * Whether a failed connection says the machine stopped answering (no handshake in time, no route, no
 * name), not that it turned this one connection away (refused, reset, closed before the handshake, a
 * failed login): then its other connections are likely dead too and only wait for their keepalives.
 */
export function meansUnreachable(error: unknown): boolean {
  const raw = (isSshccError(error) ? error.cause : error) as LowLevelError | undefined;
  if (typeof raw !== 'object' || raw === null) return false;
  if (raw.level === 'client-timeout' || raw.level === 'client-dns' || raw.message === 'Keepalive timeout') return true;
  return typeof raw.code === 'string' && UNREACHABLE_CODES.has(raw.code);
}
