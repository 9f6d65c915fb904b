import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SshccError } from '@sshcc/core';
import type { ResolvedSshConfig } from './resolved-ssh-config';
import { parseSshGOutput } from './parse-ssh-g-output';
import { resolveWithSshConfigPackage } from './ssh-config-fallback';
import { expandResolvedPaths, type LocalIdentity } from './expand-resolved-paths';

// The user's own ssh is the most faithful reader of their config (Include, Match, tokens, system-wide
// defaults): `ssh -G` costs ~4 ms and answers once per destination, then the answer is cached.

export interface ResolveSshConfigOptions {
  /** `-l`: overrides the config's User. */
  readonly user?: string | null;
  /** `-p`: overrides the config's Port. */
  readonly port?: number | null;
  /** `-F`: defaults to $SSHCC_SSH_CONFIG, else ssh's own (~/.ssh/config + /etc/ssh/ssh_config). */
  readonly configFile?: string;
  /** The ssh binary; `false` behaves as if none were installed (the ssh-config package reads the file). */
  readonly sshBinary?: string | false;
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides for who "we" are locally (tests). */
  readonly local?: Partial<LocalIdentity>;
}

const SSH_G_TIMEOUT_MS = 10_000;

const cache = new Map<string, Promise<ResolvedSshConfig>>();

/** Forgets every cached answer (after the user edits ~/.ssh/config, and between tests). */
export function clearSshConfigCache(): void {
  cache.clear();
}

function localIdentity(options: ResolveSshConfigOptions, env: NodeJS.ProcessEnv): LocalIdentity {
  const info = os.userInfo();
  return {
    home: options.local?.home ?? env.HOME ?? info.homedir,
    localUser: options.local?.localUser ?? info.username,
    localHostname: options.local?.localHostname ?? os.hostname(),
    uid: options.local?.uid ?? info.uid,
    env: options.local?.env ?? env,
  };
}

interface SshGResult {
  readonly kind: 'output' | 'no-ssh';
  readonly text: string;
}

function runSshG(binary: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<SshGResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    // Our own timer: spawn's `timeout` option leaves its timer running when the binary does not exist.
    const timer = setTimeout(() => child.kill('SIGKILL'), SSH_G_TIMEOUT_MS);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') resolve({ kind: 'no-ssh', text: '' });
      else reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ kind: 'output', text: Buffer.concat(out).toString('utf8') });
      const why = Buffer.concat(err).toString('utf8').trim().split('\n')[0] || (signal ? `killed by ${signal}` : `exit ${code}`);
      reject(new Error(why));
    });
  });
}

function sshGArgs(host: string, options: ResolveSshConfigOptions, configFile: string | undefined): string[] {
  return [
    '-G',
    ...(configFile === undefined ? [] : ['-F', configFile]),
    ...(options.user == null ? [] : ['-l', options.user]),
    ...(options.port == null ? [] : ['-p', String(options.port)]),
    '--',
    host,
  ];
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

async function resolveUncached(host: string, options: ResolveSshConfigOptions): Promise<ResolvedSshConfig> {
  const env = options.env ?? process.env;
  const configFile = options.configFile ?? (env.SSHCC_SSH_CONFIG || undefined);
  const local = localIdentity(options, env);
  const where = `ssh config for ${host}`;
  try {
    let raw: ResolvedSshConfig | undefined;
    if (options.sshBinary !== false) {
      const result = await runSshG(options.sshBinary ?? 'ssh', sshGArgs(host, options, configFile), env);
      if (result.kind === 'output') raw = parseSshGOutput(result.text, host);
    }
    if (raw === undefined) {
      const file = configFile ?? path.join(local.home, '.ssh', 'config');
      raw = resolveWithSshConfigPackage(await readConfigText(file), host, {
        ...(options.user == null ? {} : { user: options.user }),
        ...(options.port == null ? {} : { port: options.port }),
        localUser: local.localUser,
      });
    }
    return expandResolvedPaths(raw, local);
  } catch (error) {
    throw new SshccError('config', `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/** How the user's ssh would reach `host` (HostName, User, Port, keys, ProxyJump, keepalives, known_hosts). */
export function resolveSshConfig(host: string, options: ResolveSshConfigOptions = {}): Promise<ResolvedSshConfig> {
  if (host === '' || host.startsWith('-') || /[\s'"`$;&|<>\\]/.test(host)) {
    return Promise.reject(new SshccError('config', `not a host name: ${JSON.stringify(host)}`));
  }
  const env = options.env ?? process.env;
  const key = JSON.stringify([
    host,
    options.user ?? null,
    options.port ?? null,
    options.configFile ?? env.SSHCC_SSH_CONFIG ?? null,
    options.sshBinary ?? 'ssh',
    options.local ?? null,
  ]);
  let answer = cache.get(key);
  if (answer === undefined) {
    answer = resolveUncached(host, options);
    cache.set(key, answer);
    // A failure is not remembered: the user may fix the config and the next job should see it.
    answer.catch(() => cache.delete(key));
  }
  return answer;
}
