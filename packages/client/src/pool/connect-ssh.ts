import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { SshccError } from '@sshcc/core';
import type { ResolvedSshConfig } from './resolved-ssh-config';
import { resolveSshConfig } from './resolve-ssh-config';
import { knownHostsFiles, loadKnownHosts } from './known-hosts-files';
import { knownHostsName } from './known-hosts-name';
import { checkHostKey, knownKeyTypes } from './check-host-key';
import { hostKeyError } from './host-key-error';
import { orderHostKeyAlgorithms } from './host-key-algorithms';
import { planAuth } from './plan-auth';
import { parseProxyJump, ProxyJumpError } from './parse-proxy-jump';
import { shellCommand } from './remote-server-command';
import { startSshClient } from './start-ssh-client';

/** Keepalives when ssh_config sets no ServerAliveInterval: a dead or hung volunteer is noticed within ~45 s. */
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 15_000;
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;
/** TCP connect + ssh handshake + auth, when ssh_config sets no ConnectTimeout. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** ProxyJump chains longer than this are taken for a loop in ssh_config. */
export const MAX_JUMP_HOPS = 8;

/** A destination as a host spec names it: an ssh_config alias or a host name, maybe with user and port. */
export interface SshTarget {
  readonly host: string;
  readonly user?: string | null;
  readonly port?: number | null;
}

export interface SshConnectOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** ssh_config file (`ssh -F`); default $SSHCC_SSH_CONFIG, else ssh's own. */
  readonly configFile?: string;
  /** See ResolveSshConfigOptions.sshBinary. */
  readonly sshBinary?: string | false;
  /** Override ServerAliveInterval / the 15 s default (tests use short ones). */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  /** Override ConnectTimeout / the 10 s default. */
  readonly connectTimeoutMs?: number;
  /** Things the user may want to know that do not stop the connection (skipped keys, a silent agent). */
  readonly onNote?: (message: string) => void;
}

export interface SshConnection {
  readonly client: Client;
  readonly config: ResolvedSshConfig;
  /** `user@hostname:port` actually connected to. */
  readonly destination: string;
  /** Settles when this connection (or a jump host under it) is gone, with why; undefined after close(). */
  readonly ended: Promise<SshccError | undefined>;
  /** False as soon as this connection or a jump host under it is known to be gone. */
  isOpen(): boolean;
  close(): void;
}

function destinationOf(config: ResolvedSshConfig): string {
  const host = config.hostname.includes(':') ? `[${config.hostname}]` : config.hostname;
  return `${config.user}@${host}:${config.port}`;
}

/** The ssh command a person would run to reach the same host (to accept its key, or to debug). */
function sshCommandFor(target: SshTarget, configFile: string | undefined): string {
  const argv = ['ssh'];
  if (configFile !== undefined) argv.push('-F', configFile);
  if (target.port != null) argv.push('-p', String(target.port));
  argv.push(target.user != null ? `${target.user}@${target.host}` : target.host);
  return shellCommand(argv);
}

function tcpSocket(config: ResolvedSshConfig): Duplex {
  const sock = net.connect({ host: config.hostname, port: config.port });
  // Without it every channel open waits on Nagle: ~45 ms instead of ~0.7 ms (measured).
  sock.setNoDelay(true);
  return sock;
}

function forwardThrough(jump: SshConnection, config: ResolvedSshConfig): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.client.forwardOut('127.0.0.1', 0, config.hostname, config.port, (error, stream) => {
      if (error) {
        reject(
          new SshccError('connect', `jump host ${jump.destination} could not reach ${config.hostname}:${config.port}: ${error.message}`, {
            cause: error,
          }),
        );
      } else {
        resolve(stream);
      }
    });
  });
}

interface ConnectState {
  readonly depth: number;
  /** For the hops before the last of a `ProxyJump a,b` list: ssh then ignores the hop's own ProxyJump. */
  readonly jumpOverride: string | null | undefined;
}

async function connectVia(target: SshTarget, options: SshConnectOptions, state: ConnectState): Promise<SshConnection> {
  const env = options.env ?? process.env;
  const configFile = options.configFile ?? (env.SSHCC_SSH_CONFIG || undefined);
  const resolved = await resolveSshConfig(target.host, {
    ...(target.user == null ? {} : { user: target.user }),
    ...(target.port == null ? {} : { port: target.port }),
    ...(configFile === undefined ? {} : { configFile }),
    ...(options.sshBinary === undefined ? {} : { sshBinary: options.sshBinary }),
    env,
  });
  const { proxyJump: ownJump, ...rest } = resolved;
  const jumpValue = state.jumpOverride === undefined ? ownJump : (state.jumpOverride ?? undefined);
  const config: ResolvedSshConfig = jumpValue === undefined ? rest : { ...rest, proxyJump: jumpValue };
  const destination = destinationOf(config);
  if (config.proxyCommand !== undefined) {
    throw new SshccError('config', `${target.host}: ProxyCommand is not supported`, { hint: 'sshcc makes its own connections; use ProxyJump' });
  }

  const name = config.hostKeyAlias ?? knownHostsName(config.hostname.toLowerCase(), config.port);
  const sshCommand = sshCommandFor(target, configFile);
  const [entries, auth] = await Promise.all([loadKnownHosts(knownHostsFiles(config, env)), planAuth(config, env)]);
  for (const note of auth.notes) options.onNote?.(`${target.host}: ${note}`);
  if (auth.methods.length === 0) {
    throw new SshccError('auth', `no key to log in to ${destination} with`, {
      hint: auth.notes.join('; ') || 'no ssh-agent key and no readable IdentityFile or default key',
    });
  }

  let jump: SshConnection | undefined;
  let sock: Duplex;
  if (config.proxyJump !== undefined) {
    if (state.depth >= MAX_JUMP_HOPS) {
      throw new SshccError('config', `ProxyJump for ${target.host} goes more than ${MAX_JUMP_HOPS} hops deep (a loop in ssh_config?)`);
    }
    let hops;
    try {
      hops = parseProxyJump(config.proxyJump);
    } catch (error) {
      if (error instanceof ProxyJumpError) throw new SshccError('config', `${target.host}: ${error.message}`);
      throw error;
    }
    const last = hops[hops.length - 1]!;
    const earlier = hops
      .slice(0, -1)
      .map((hop) => `${hop.user === undefined ? '' : `${hop.user}@`}${hop.host.includes(':') ? `[${hop.host}]` : hop.host}${hop.port === undefined ? '' : `:${hop.port}`}`)
      .join(',');
    jump = await connectVia(last, options, { depth: state.depth + 1, jumpOverride: earlier === '' ? undefined : earlier });
    try {
      sock = await forwardThrough(jump, config);
    } catch (error) {
      jump.close();
      throw error;
    }
  } else {
    sock = tcpSocket(config);
  }

  let started;
  try {
    started = await startSshClient({
      sock,
      username: config.user,
      destination,
      checkHostKey: (key) => hostKeyError(checkHostKey(entries, name, key), { name, key, sshCommand }),
      hostKeyAlgorithms: orderHostKeyAlgorithms(knownKeyTypes(entries, name)),
      auth: auth.methods,
      offered: auth.offered,
      readyTimeoutMs: options.connectTimeoutMs ?? (config.connectTimeout ? config.connectTimeout * 1000 : DEFAULT_CONNECT_TIMEOUT_MS),
      keepaliveIntervalMs:
        options.keepaliveIntervalMs ?? (config.serverAliveInterval ? config.serverAliveInterval * 1000 : DEFAULT_KEEPALIVE_INTERVAL_MS),
      keepaliveCountMax: options.keepaliveCountMax ?? config.serverAliveCountMax ?? DEFAULT_KEEPALIVE_COUNT_MAX,
    });
  } catch (error) {
    sock.destroy();
    jump?.close();
    throw error;
  }

  const { client, close, isOpen } = started;
  // The connection is only as alive as every hop under it.
  const ended = jump === undefined ? started.ended : Promise.race([started.ended, jump.ended]);
  if (jump !== undefined) {
    const hop = jump;
    void ended.then(() => {
      close();
      hop.close();
    });
  }
  return {
    client,
    config,
    destination,
    ended,
    isOpen: () => isOpen() && (jump === undefined || jump.isOpen()),
    close: () => {
      close();
      jump?.close();
    },
  };
}

/** An authenticated ssh2 connection to `target`, resolved and checked the way the user's ssh would. */
export function connectSsh(target: SshTarget, options: SshConnectOptions = {}): Promise<SshConnection> {
  return connectVia(target, options, { depth: 0, jumpOverride: undefined });
}
