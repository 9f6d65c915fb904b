import { SOCKET_PATH_MAX_BYTES } from './wire-limits';
import { isNetworkFsType } from './network-fs';

/** Where one agent lives. The C shim computes the same paths with the same rule (shim/agent-paths.c). */
export interface AgentPaths {
  /** `$SSHCC_DIR` or `~/.sshcc`: the user's sshcc folder (config, and normally the agent's files). */
  readonly configDir: string;
  /** The folder that holds the socket, pid file and log (mode 0700). */
  readonly dir: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly logFile: string;
  /** Why the agent's files are not in configDir, if they are not. */
  readonly fallback: 'socket-path-too-long' | 'network-fs' | null;
}

/** What the rule reads from the machine, passed in so tests can pose any case. */
export interface AgentPathsHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly uid: number;
  readonly homedir: string;
  /** statfs f_type of the nearest existing folder at or above `path`; undefined when unknown. */
  readonly fsType: (path: string) => number | undefined;
}

/**
 * The rule: `<configDir>/agent.sock` unless that path exceeds sun_path or configDir is on a network
 * file system; then `$XDG_RUNTIME_DIR/sshcc/agent-<tag>.sock` (when that is absolute and fits), else
 * `/tmp/sshcc-<uid>/agent-<tag>.sock`, where <tag> is the FNV-1a hash of configDir, so that two
 * configured folders still get two agents. Plain string operations only, so C computes the same bytes.
 */
export function resolveAgentPaths(host: AgentPathsHost): AgentPaths {
  const configDir = resolveConfigDir(host);
  const socket = joinPath(configDir, 'agent.sock');
  let fallback: AgentPaths['fallback'] = null;
  if (Buffer.byteLength(socket) > SOCKET_PATH_MAX_BYTES) fallback = 'socket-path-too-long';
  else if (isNetworkFsType(host.fsType(configDir) ?? 0)) fallback = 'network-fs';
  if (fallback === null) return inDir(configDir, configDir, 'agent', null);
  const name = `agent-${fnv1a32(configDir).toString(16).padStart(8, '0')}`;
  const runtime = host.env.XDG_RUNTIME_DIR;
  if (runtime?.startsWith('/')) {
    const dir = joinPath(stripTrailingSlashes(runtime), 'sshcc');
    if (Buffer.byteLength(joinPath(dir, `${name}.sock`)) <= SOCKET_PATH_MAX_BYTES) return inDir(configDir, dir, name, fallback);
  }
  return inDir(configDir, `/tmp/sshcc-${host.uid}`, name, fallback);
}

function resolveConfigDir(host: AgentPathsHost): string {
  const configured = host.env.SSHCC_DIR;
  if (configured) {
    return stripTrailingSlashes(configured.startsWith('/') ? configured : joinPath(stripTrailingSlashes(host.cwd), configured));
  }
  return joinPath(stripTrailingSlashes(host.homedir), '.sshcc');
}

function inDir(configDir: string, dir: string, name: string, fallback: AgentPaths['fallback']): AgentPaths {
  const prefix = joinPath(dir, name);
  return { configDir, dir, socket: `${prefix}.sock`, pidFile: `${prefix}.pid`, logFile: `${prefix}.log`, fallback };
}

function joinPath(base: string, name: string): string {
  return base === '/' ? `/${name}` : `${base}/${name}`;
}

function stripTrailingSlashes(path: string): string {
  const stripped = path.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}

/** 32-bit FNV-1a over the UTF-8 bytes: five lines in C, and stable across versions. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
