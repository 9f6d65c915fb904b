import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { SshccError } from '@sshcc/core';
import { clientHandshake } from '@sshcc/protocol';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_SERVER_COMMAND } from '../pool';
import { installPaths, INSTALL_DIR_IN_HOME, type InstallPaths } from './install-paths';
import type { InstallTarget, RunResult, UploadMethod } from './install-target';
import { launcherScript } from './launcher-script';
import { checkNodeVersion } from './node-version';
import type { ServerBundle } from './server-bundle';

// The per-user install of sshcc-server, needing no root: the bundle and its launcher go into
// ~/.local/lib/sshcc under temp names, the new bundle must run before anything is replaced, and then
// each file is renamed into place. A rename is atomic, and a server already running keeps the file it
// opened, so an upgrade never breaks a job in flight; running it again is harmless.

export interface InstallReport {
  readonly where: string;
  readonly paths: InstallPaths;
  readonly node: { readonly path: string; readonly version: string };
  /** `sshcc-server 0.1.0` as found before; null when there was none. */
  readonly previous: string | null;
  /** `sshcc-server 0.1.0` as the new bundle says. */
  readonly installed: string;
  readonly upload: UploadMethod;
  readonly bytes: number;
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
}

/** The facts one shell round trip learns: home, node, and what is installed now. */
const PROBE_SCRIPT = [
  `printf 'home=%s\\n' "$HOME"`,
  'node=$(command -v node 2>/dev/null)',
  `printf 'node=%s\\n' "$node"`,
  `if [ -n "$node" ]; then printf 'node-version=%s\\n' "$("$node" --version 2>/dev/null)"; fi`,
  `if [ -x "$HOME/$1" ]; then printf 'installed=%s\\n' "$("$HOME/$1" --version 2>/dev/null | head -n 1)"; fi`,
].join('; ');

export async function installServer(target: InstallTarget, bundle: ServerBundle, options: InstallOptions): Promise<InstallReport> {
  const step = options.onStep ?? (() => undefined);
  const where = target.where;
  const facts = parseFacts(await mustRun(target, 'look around', PROBE_SCRIPT, [posix.join(INSTALL_DIR_IN_HOME, 'sshcc-server')]));
  const home = facts.get('home') ?? '';
  if (!home.startsWith('/')) throw new SshccError('config', `$HOME on ${where} is not an absolute path (${JSON.stringify(home)})`);
  const node = facts.get('node') ?? '';
  const nodeVersion = checkNodeVersion(node, facts.get('node-version'), where);
  step('node', `${node} ${nodeVersion}`);
  const previous = facts.get('installed') || null;

  const paths = installPaths(home);
  await mustRun(target, 'create the install folder', 'mkdir -p "$1"', [posix.dirname(paths.bundle)]);
  const nonce = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps = [posix.join(posix.dirname(paths.bundle), `.sshcc-server.js.${nonce}.tmp`), posix.join(paths.dir, `.sshcc-server.${nonce}.tmp`)] as const;
  let upload: UploadMethod;
  let installed: string;
  try {
    upload = await target.writeFile(temps[0], bundle.bytes, 0o755);
    // The new bundle runs on that node before anything in use is replaced.
    installed = lastLine((await mustRun(target, 'run the uploaded server', '"$1" "$2" --version', [node, temps[0]])).stdout);
    if (!/^sshcc-server \S+$/.test(installed)) throw new SshccError('remote-failed', `the uploaded server on ${where} printed ${JSON.stringify(installed)} for --version`);
    await target.writeFile(temps[1], Buffer.from(launcherScript({ node, bundle: paths.bundle, clientVersion: options.clientVersion })), 0o755);
    await mustRun(target, 'move the new files into place', 'mv -f "$1" "$2" && mv -f "$3" "$4"', [temps[0], paths.bundle, temps[1], paths.launcher]);
  } catch (err) {
    await target.run('rm -f "$1" "$2"', temps).catch(() => undefined);
    throw err;
  }
  step('upload', `${Math.round(bundle.bytes.length / 1024)} KiB by ${upload} to ${paths.bundle}${previous ? ` (replaced ${previous})` : ''}`);

  const check = (await mustRun(target, 'check the install', '"$1" --check', [paths.launcher])).stdout;
  step('check', 'ok');
  const subsystemLine = lastLine((await mustRun(target, 'print the sshd_config line', '"$1" --print-sshd-config', [paths.launcher])).stdout);
  const served = await serveOnce(target, DEFAULT_SERVER_COMMAND);
  step('serves', `${served.server}, protocol ${served.protocol}, by exec ${DEFAULT_SERVER_COMMAND}`);
  return { where, paths, node: { path: node, version: nodeVersion }, previous, installed, upload, bytes: bundle.bytes.length, check, subsystemLine, served };
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

async function mustRun(target: InstallTarget, what: string, script: string, args: readonly string[]): Promise<RunResult> {
  const result = await target.run(script, args);
  if (result.code === 0) return result;
  const why = result.stderr.trim().split('\n').slice(-3).join(' | ') || (result.code === null ? 'killed' : `exit ${result.code}`);
  throw new SshccError('remote-failed', `could not ${what} on ${target.where}: ${why}`);
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
