import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from './free-port';
import { hidingLauncher, hidingUnavailable, type Replacement } from './hidden-paths';
import { keyBlob } from './key-blob';
import { generateKeyPair } from './ssh-keygen';
import { renderHostBlock, renderKnownHosts } from './ssh-client-files';
import { renderSshdConfig } from './sshd-config';
import { SshdProcess, SshdStartError } from './sshd-process';
import { subsystemCommandLine } from './subsystem-command';
import { Volunteer, type VolunteerSetup } from './volunteer';

const DEFAULT_SSHD = '/usr/sbin/sshd';
const DEFAULT_MAX_SESSIONS = 10;
const PORT_ATTEMPTS = 5;
const LOOPBACK = '127.0.0.1';

export interface VolunteerOptions {
  /** sshd's MaxSessions: channels allowed on one connection. Default 10, sshd's own default. */
  maxSessions?: number;
  /**
   * Shell command line run for `Subsystem sshcc` (through the user's login shell, as sshd does). Default: this
   * Node running packages/server/bin/sshcc-server.js. Quotes are honoured (via a wrapper script if needed).
   */
  serverCommand?: string;
  /** false: no sshcc subsystem at all, as on a machine where only a per-user install can be exec'd. */
  subsystem?: boolean;
  /** Environment for every session (and so for the server), via sshd's SetEnv. */
  env?: Readonly<Record<string, string>>;
  /** sshd LogLevel; its output is kept in `volunteer.log`. Default INFO. */
  logLevel?: string;
  /** Absolute path of sshd (it re-executes itself, so it must be absolute). Default /usr/sbin/sshd. */
  sshdPath?: string;
  /**
   * authorized_keys options for the user key, e.g. `restrict,command="…"` for an account that may only run
   * sshcc-server (a forced command then runs for every session: exec, subsystem and shell alike).
   */
  authorizedKeyOptions?: string;
  /**
   * Where sshd runs and how clients reach it, when not simply 127.0.0.1 on a free port: startWanVolunteer
   * runs sshd inside a network namespace and puts a relay in front of it. Default: loopback.
   */
  network?: VolunteerNetwork;
  /**
   * Paths this volunteer's sessions must not see (its node, a compiler): sshd runs in a private mount
   * namespace where each is covered by an empty mount (hidden-paths.ts). Root only; see hidingUnavailable.
   */
  hide?: readonly string[];
  /** Files bind-mounted over others in the same private namespace, `[from, over]`; root only, as `hide`. */
  replace?: readonly Replacement[];
}

export interface VolunteerNetwork {
  /** Command prefix that execs sshd in place, e.g. `['ip', 'netns', 'exec', 'ns1']`. */
  launcher: readonly string[];
  /** sshd's ListenAddress and Port; fixed, since nothing else listens in a fresh namespace. */
  listenAddress: string;
  port: number;
  /** Where clients connect (a relay that forwards to sshd); known_hosts and ssh_config name this. */
  clientHost: string;
  clientPort: number;
}

/** Single-quotes a word for /bin/sh unless it is plainly safe. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `node …/packages/server/bin/sshcc-server.js`, with the Node running the tests. */
export function defaultServerCommand(): string {
  return [process.execPath, resolve(__dirname, '..', '..', 'server', 'bin', 'sshcc-server.js')].map(shellWord).join(' ');
}

const versions = new Map<string, Promise<[number, number]>>();

/** OpenSSH's version from `sshd -V` (older sshd print it in the usage text of the unknown flag). */
function sshdVersion(sshdPath: string): Promise<[number, number]> {
  let version = versions.get(sshdPath);
  if (!version) {
    version = new Promise((done) => {
      execFile(sshdPath, ['-V'], (_err, stdout, stderr) => {
        const match = /OpenSSH_(\d+)\.(\d+)/.exec(`${stderr}${stdout}`);
        done(match ? [Number(match[1]), Number(match[2])] : [0, 0]);
      });
    });
    versions.set(sshdPath, version);
  }
  return version;
}

/** `options ` before the key, or nothing; one line, as sshd reads authorized_keys line by line. */
function authorizedKeyPrefix(options: string | undefined): string {
  if (options === undefined || options === '') return '';
  if (/[\r\n]/.test(options)) throw new Error(`testkit: authorizedKeyOptions must be one line: ${JSON.stringify(options)}`);
  return `${options} `;
}


async function launch(
  dir: string,
  sshdPath: string,
  network: VolunteerNetwork | undefined,
  hiding: readonly string[],
  configFor: (port: number) => string,
): Promise<{ sshd: SshdProcess; port: number }> {
  const configFile = join(dir, 'sshd_config');
  const host = network?.listenAddress ?? LOOPBACK;
  for (let attempt = 1; ; attempt++) {
    const port = network?.port ?? (await findFreePort());
    await writeFile(configFile, configFor(port), { mode: 0o600 });
    try {
      const launcher = [...(network?.launcher ?? []), ...hiding];
      return { sshd: await SshdProcess.start(sshdPath, configFile, join(dir, 'sshd.pid'), { host, port, launcher }), port };
    } catch (err) {
      // The port was free when we looked; someone took it before sshd bound it. Another port will do.
      if (!(err instanceof SshdStartError && err.portInUse) || network || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

/**
 * Starts a real OpenSSH sshd on 127.0.0.1 (free port) as the current user, in a private temp dir; or where
 * `options.network` says (see startWanVolunteer).
 */
export async function startVolunteer(options: VolunteerOptions = {}): Promise<Volunteer> {
  const sshdPath = options.sshdPath ?? DEFAULT_SSHD;
  const covering = (options.hide?.length ?? 0) + (options.replace?.length ?? 0) > 0;
  const cannotHide = covering ? hidingUnavailable() : undefined;
  if (cannotHide !== undefined) throw new Error(`testkit: no volunteer with hidden paths here: ${cannotHide}`);
  const asRoot = process.getuid?.() === 0;
  const user = userInfo().username;
  // sshd as root insists on its privilege-separation directory; the system's own sshd may never have run here.
  if (asRoot) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'sshcc-vol-'));
  try {
    const [hostKey, userKey, version] = await Promise.all([
      generateKeyPair(join(dir, 'ssh_host_ed25519_key'), 'sshcc-testkit-host'),
      generateKeyPair(join(dir, 'id_ed25519'), 'sshcc-testkit-user'),
      sshdVersion(sshdPath),
    ]);
    // Sessions get a private, empty HOME: bash (started by sshd) would otherwise run the real user's
    // ~/.bashrc, whose side effects (pyenv rehash locks, slow prompts) stall or break sessions, and the
    // server would read the real ~/.config/sshcc. Tests stay hermetic; env.HOME still wins.
    const home = join(dir, 'home');
    await mkdir(home, { mode: 0o700 });
    const authorizedKeysFile = join(dir, 'authorized_keys');
    await writeFile(authorizedKeysFile, `${authorizedKeyPrefix(options.authorizedKeyOptions)}${userKey.publicKey}\n`, { mode: 0o600 });
    const pidFile = join(dir, 'sshd.pid');
    const privateKey = await readFile(userKey.privateKeyFile);
    const subsystemCommand =
      options.subsystem === false ? undefined : await subsystemCommandLine(dir, options.serverCommand ?? defaultServerCommand());
    const network = options.network;
    const hiding = covering ? hidingLauncher(options.hide ?? [], options.replace ?? []) : [];
    const { sshd, port } = await launch(dir, sshdPath, network, hiding, (port) =>
      renderSshdConfig({
        listenAddress: network?.listenAddress ?? LOOPBACK,
        port,
        hostKeyFile: hostKey.privateKeyFile,
        authorizedKeysFile,
        pidFile,
        asRoot,
        maxSessions: options.maxSessions ?? DEFAULT_MAX_SESSIONS,
        subsystemCommand,
        env: { HOME: home, ...options.env },
        logLevel: options.logLevel ?? 'INFO',
        disablePenalties: version[0] > 9 || (version[0] === 9 && version[1] >= 8),
      }),
    );
    const entry = {
      alias: network ? `sshcc-wan-${network.clientPort}` : `sshcc-vol-${port}`,
      host: network?.clientHost ?? LOOPBACK,
      port: network?.clientPort ?? port,
      user,
      identityFile: userKey.privateKeyFile,
      hostPublicKey: hostKey.publicKey,
    };
    const knownHostsFile = join(dir, 'known_hosts');
    const sshConfigFile = join(dir, 'ssh_config');
    const sshConfigText = renderHostBlock(entry, knownHostsFile);
    const setup: VolunteerSetup = {
      ...entry,
      home,
      dir,
      sshdPath,
      sshd: { host: network?.listenAddress ?? LOOPBACK, port, launcher: [...(network?.launcher ?? []), ...hiding] },
      sshdConfigFile: join(dir, 'sshd_config'),
      pidFile,
      knownHostsFile,
      sshConfigFile,
      sshConfigText,
      privateKey,
      hostKeyFile: hostKey.privateKeyFile,
      hostKeyBlob: keyBlob(hostKey.publicKey),
    };
    // From here on the Volunteer owns sshd: a failure below is cleaned up by its stop().
    const volunteer = new Volunteer(setup, sshd);
    try {
      await writeFile(knownHostsFile, renderKnownHosts([entry]), { mode: 0o600 });
      await writeFile(sshConfigFile, sshConfigText, { mode: 0o600 });
    } catch (err) {
      await volunteer.stop();
      throw err;
    }
    return volunteer;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Starts `count` volunteers with the same options, in parallel. */
export async function startVolunteers(count: number, options: VolunteerOptions = {}): Promise<Volunteer[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startVolunteer(options)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return started.map((r) => (r as PromiseFulfilledResult<Volunteer>).value);
}
