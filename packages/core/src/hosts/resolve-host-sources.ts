import * as path from 'node:path';
import { SshccError } from '../errors';
import { parseHosts } from './parse-hosts';
import type { HostList, HostSource } from './types';

export interface ResolveHostSourcesOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Reads a whole file as text; throws (with `code` ENOENT/ENOTDIR when it does not exist) otherwise. */
  readonly readFile: (path: string) => string;
}

export interface ResolvedHosts extends HostList {
  /** Every place looked at, in order, up to and including the one used (all four when none was set). */
  readonly searched: readonly HostSource[];
}

export const SYSTEM_HOSTS_FILE = '/etc/sshcc/hosts';

/**
 * Finds the host list the way distcc does, sshcc's places first: SSHCC_HOSTS, else `$SSHCC_DIR/hosts`
 * (default `~/.sshcc/hosts`), else /etc/sshcc/hosts, else DISTCC_HOSTS (read in distcc's dialect). The
 * first that is set wins even when it is empty, so `SSHCC_HOSTS=` is how to say "compile here only".
 * None set: an empty list from source `none`, and compiles run on this machine.
 */
export function resolveHostSources(options: ResolveHostSourcesOptions): ResolvedHosts {
  const { env, homeDir, readFile } = options;
  const candidates: readonly HostSource[] = [
    { kind: 'env', name: 'SSHCC_HOSTS' },
    ...hostListFiles(env, homeDir).map((file) => ({ kind: 'file' as const, path: file })),
    { kind: 'env', name: 'DISTCC_HOSTS' },
  ];
  const searched: HostSource[] = [];
  for (const source of candidates) {
    searched.push(source);
    const text = source.kind === 'env' ? env[source.name] : source.kind === 'file' ? readIfPresent(source.path, readFile) : undefined;
    if (text !== undefined) return { ...parseHosts(text, { source }), searched };
  }
  return { source: { kind: 'none' }, hosts: [], randomize: false, localSlots: null, localSlotsCpp: null, warnings: [], searched };
}

/** The host-list files, in the order they are looked at (between SSHCC_HOSTS and DISTCC_HOSTS). */
export function hostListFiles(env: Readonly<Record<string, string | undefined>>, homeDir: string): string[] {
  const sshccDir = env.SSHCC_DIR || path.join(homeDir, '.sshcc');
  return [path.join(sshccDir, 'hosts'), SYSTEM_HOSTS_FILE];
}

function readIfPresent(file: string, readFile: (path: string) => string): string | undefined {
  try {
    return readFile(file);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    const why = err instanceof Error ? err.message : String(err);
    throw new SshccError('config', `cannot read the host list ${file}: ${why}`, { cause: err });
  }
}
