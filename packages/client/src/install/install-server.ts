import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { isSshccError, SshccError } from '@sshcc/core';
import { clientHandshake } from '@sshcc/protocol';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_SERVER_COMMAND } from '../pool';
import { shellQuote } from '../pool/remote-server-command';
import { installPaths, type InstallPaths } from './install-paths';
import { installRuntime, type InstalledRuntime } from './install-runtime';
import type { InstallTarget, RunResult, UploadMethod } from './install-target';
import { launcherScript } from './launcher-script';
import { localNodeRuntime, type NodeRuntime } from './local-node-runtime';
import { mustRun } from './must-run';
import { checkNodeVersion } from './node-version';
import { runtimeMismatch } from './runtime-manifest';
import type { ServerBundle } from './server-bundle';

// The per-user install of sshcc-server, needing no root: the bundle and its launcher go into
// ~/.local/lib/sshcc under temp names, the new bundle must run before anything is replaced, and then
// each file is renamed into place. A rename is atomic, and a server already running keeps the file it
// opened, so an upgrade never breaks a job in flight. A file already there with the same sha256 is not
// sent again, so running it again sends nothing. Where no node ≥ 20 is found, this machine's node goes
// along as a runtime (install-runtime.ts).

export interface InstallReport {
  readonly where: string;
  readonly paths: InstallPaths;
  readonly node: { readonly path: string; readonly version: string };
  /** `sshcc-server 0.1.0` as found before; null when there was none. */
  readonly previous: string | null;
  /** `sshcc-server 0.1.0` as the new bundle says. */
  readonly installed: string;
  /** How the bundle went up; null when the same bundle was there already. */
  readonly upload: UploadMethod | null;
  /** The bundle's bytes sent: 0 when it was there. */
  readonly bytes: number;
  /** The node runtime sent (or found) for a volunteer without a usable node; null when its own node serves. */
  readonly runtime: InstalledRuntime | null;
  /** Everything that crossed: runtime, bundle and launcher. 0 for a reinstall of the same client. */
  readonly sentBytes: number;
  /** `sshcc-server --check` there: config, allowed compilers and their fingerprints. */
  readonly check: string;
  /** The optional sshd_config line for an admin. */
  readonly subsystemLine: string;
  /** The hello of a server started the way the agent starts one (exec of the default command). */
  readonly served: { readonly server: string; readonly protocol: number };
}

export interface InstallOptions {
  readonly clientVersion: string;
  /** Called as each step finishes, for progress lines. */
  readonly onStep?: (step: string, detail: string) => void;
  /** The runtime to send where node is missing or too old; default this process's node. */
  readonly nodeRuntime?: () => Promise<NodeRuntime>;
}

/** The facts one shell round trip learns: home, node, the machine, and what is installed now. */
const PROBE_SCRIPT = [
  `printf 'home=%s\\n' "$HOME"`,
  'node=$(command -v node 2>/dev/null)',
  `printf 'node=%s\\n' "$node"`,
  `if [ -n "$node" ]; then printf 'node-version=%s\\n' "$("$node" --version 2>/dev/null)"; fi`,
  `printf 'system=%s\\nmachine=%s\\n' "$(uname -s)" "$(uname -m)"`,
  `if command -v gzip >/dev/null 2>&1; then printf 'gzip=yes\\n'; fi`,
  `if [ -x "$HOME/$1" ]; then printf 'installed=%s\\n' "$("$HOME/$1" --version 2>/dev/null | head -n 1)"; fi`,
  `if [ -f "$HOME/$1" ]; then printf 'launcher-sha256=%s\\n' "$(sha256sum < "$HOME/$1" 2>/dev/null | cut -c1-64)"; fi`,
  `if [ -f "$HOME/$2" ]; then printf 'bundle-sha256=%s\\n' "$(sha256sum < "$HOME/$2" 2>/dev/null | cut -c1-64)"; fi`,
].join('; ');

/** The install's files relative to HOME, for the probe (which runs before HOME is known). */
const IN_HOME = installPaths('');

export async function installServer(target: InstallTarget, bundle: ServerBundle, options: InstallOptions): Promise<InstallReport> {
  const step = options.onStep ?? (() => undefined);
  const where = target.where;
  const facts = parseFacts(await mustRun(target, 'look around', PROBE_SCRIPT, [IN_HOME.launcher, IN_HOME.bundle]));
  const home = facts.get('home') ?? '';
  if (!home.startsWith('/')) throw new SshccError('config', `$HOME on ${where} is not an absolute path (${JSON.stringify(home)})`);
  const previous = facts.get('installed') || null;
  const paths = installPaths(home);
  const { node, nodeVersion, runtime } = await findNode(target, facts, paths, options, step);
  await mustRun(target, 'create the install folder', 'mkdir -p "$1"', [posix.dirname(paths.bundle)]);
  // Only a runtime's own libraries need the path; the volunteer's node brings its own.
  const withLibraries = runtime?.libraryPath ? `LD_LIBRARY_PATH=${shellQuote(runtime.libraryPath)} ` : '';
  const nonce = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps = [posix.join(posix.dirname(paths.bundle), `.sshcc-server.js.${nonce}.tmp`), posix.join(paths.dir, `.sshcc-server.${nonce}.tmp`)] as const;
  const launcher = Buffer.from(launcherScript({ node, libraryPath: runtime?.libraryPath, bundle: paths.bundle, clientVersion: options.clientVersion }));
  const sendBundle = facts.get('bundle-sha256') !== sha256(bundle.bytes);
  const sendLauncher = facts.get('launcher-sha256') !== sha256(launcher);
  let upload: UploadMethod | null = null;
  let installed: string;
  try {
    if (sendBundle) upload = await target.writeFile(temps[0], bundle.bytes, 0o755);
    // The bundle runs on that node before anything in use is replaced.
    installed = lastLine((await mustRun(target, 'run the uploaded server', `${withLibraries}"$1" "$2" --version`, [node, sendBundle ? temps[0] : paths.bundle])).stdout);
    if (!/^sshcc-server \S+$/.test(installed)) throw new SshccError('remote-failed', `the uploaded server on ${where} printed ${JSON.stringify(installed)} for --version`);
    if (sendLauncher) await target.writeFile(temps[1], launcher, 0o755);
    const moves = [...(sendBundle ? [temps[0], paths.bundle] : []), ...(sendLauncher ? [temps[1], paths.launcher] : [])];
    if (moves.length > 0) await mustRun(target, 'move the new files into place', 'while [ $# -gt 0 ]; do mv -f "$1" "$2" || exit; shift 2; done', moves);
  } catch (err) {
    await target.run('rm -f "$1" "$2"', temps).catch(() => undefined);
    throw err;
  }
  const bytes = sendBundle ? bundle.bytes.length : 0;
  step('upload', upload === null ? `sshcc-server there already (same sha256), sent nothing` : `${Math.round(bytes / 1024)} KiB by ${upload} to ${paths.bundle}${previous ? ` (replaced ${previous})` : ''}`);
  const sentBytes = (runtime?.sentBytes ?? 0) + bytes + (sendLauncher ? launcher.length : 0);
  step('sent', sentBytes === 0 ? 'nothing: everything was there already' : `${formatBytes(sentBytes)} in all`);

  const check = (await mustRun(target, 'check the install', '"$1" --check', [paths.launcher])).stdout;
  step('check', 'ok');
  const printed = lastLine((await mustRun(target, 'print the sshd_config line', '"$1" --print-sshd-config', [paths.launcher])).stdout);
  // sshd_config cannot set LD_LIBRARY_PATH for one subsystem: a runtime that needs it runs by its launcher.
  const subsystemLine = runtime?.libraryPath ? `Subsystem sshcc ${paths.launcher}` : printed;
  const served = await serveOnce(target, DEFAULT_SERVER_COMMAND);
  step('serves', `${served.server}, protocol ${served.protocol}, by exec ${DEFAULT_SERVER_COMMAND}`);
  return { where, paths, node: { path: node, version: nodeVersion }, previous, installed, upload, bytes, runtime, sentBytes, check, subsystemLine, served };
}

/**
 * The volunteer's own node when it is 20 or newer; else this machine's node, sent as a runtime when the
 * architecture matches (a node for another CPU is not this client's to pick, so that is the user's fix).
 */
async function findNode(
  target: InstallTarget,
  facts: Map<string, string>,
  paths: InstallPaths,
  options: InstallOptions,
  step: (step: string, detail: string) => void,
): Promise<{ node: string; nodeVersion: string; runtime: InstalledRuntime | null }> {
  const found = facts.get('node') ?? '';
  try {
    const nodeVersion = checkNodeVersion(found, facts.get('node-version'), target.where);
    step('node', `${found} ${nodeVersion}`);
    return { node: found, nodeVersion, runtime: null };
  } catch (err) {
    if (!isSshccError(err) || err.code !== 'config') throw err;
    const mismatch = runtimeMismatch({ platform: process.platform, arch: process.arch }, { system: facts.get('system') ?? '', machine: facts.get('machine') ?? '' });
    if (mismatch !== null) throw new SshccError('config', `${err.message}, and this machine's node cannot go instead: ${mismatch}`, { hint: err.hint });
    const local = await (options.nodeRuntime ?? localNodeRuntime)();
    await mustRun(target, 'create the runtimes folder', 'mkdir -p "$1"', [paths.runtimes]);
    const runtime = await installRuntime(target, local, { runtimesDir: paths.runtimes, gzip: facts.get('gzip') === 'yes' });
    const unpacked = formatBytes(local.files.reduce((sum, file) => sum + file.size, 0));
    step('runtime', runtime.sentBytes === 0 ? 'node runtime there already (sha256 checked), sent nothing' : `sent node runtime (${formatBytes(runtime.sentBytes)}; ${unpacked} unpacked)`);
    const withLibraries = runtime.libraryPath ? `LD_LIBRARY_PATH=${shellQuote(runtime.libraryPath)} ` : '';
    const ran = await target.run(`${withLibraries}"$1" --version`, [runtime.node]);
    const nodeVersion = lastLine(ran.stdout);
    if (ran.code !== 0 || nodeVersion !== local.version) {
      const why = lastLine(ran.stderr) || `it printed ${JSON.stringify(nodeVersion)} for --version`;
      throw new SshccError('remote-failed', `this machine's node ${local.version} does not run on ${target.where}: ${why}`, { hint: err.hint });
    }
    step('node', `${err.message}: runs this machine's node ${nodeVersion} as ${runtime.node}`);
    return { node: runtime.node, nodeVersion, runtime };
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** 1.2 MiB, 34 KiB, 512 B: how big a transfer was, for a person. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

/** Starts the server as the agent would, reads its hello, and ends it. */
async function serveOnce(target: InstallTarget, command: string): Promise<{ server: string; protocol: number }> {
  const server = await target.startServer(command);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new SshccError('timeout', `${command} on ${target.where} did not answer within ${DEFAULT_HANDSHAKE_TIMEOUT_MS / 1000} s`)), DEFAULT_HANDSHAKE_TIMEOUT_MS);
    });
    const session = await Promise.race([clientHandshake(server.stream, { client: 'sshcc-install-server' }), timeout]);
    await session.close();
    return { server: session.hello.server, protocol: session.protocol };
  } finally {
    clearTimeout(timer);
    server.close();
  }
}

/** A login shell's rc files may print before the command does: what the command said is last. */
function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop()?.trim() ?? '';
}

function parseFacts(result: RunResult): Map<string, string> {
  const facts = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) facts.set(line.slice(0, at), line.slice(at + 1));
  }
  return facts;
}
