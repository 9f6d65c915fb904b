import * as fs from 'node:fs';
import { delimiter, join } from 'node:path';
import {
  diagnose,
  formatError,
  resolveHostSources,
  sshDestination,
  type HostFinding,
  type HostListFinding,
  type ResolvedHosts,
  type SshHost,
} from '@sshcc/core';
import { pingHosts, type PingReport } from '../ping';
import { findClient } from './client-finding';
import { readCompileHistory } from './compile-history';
import { DoctorReportSchema, type DoctorReport } from './doctor-report';
import { findMasqueradeDirs } from './masquerade-finding';

// `sshcc doctor`: everything that decides whether a compile goes remote, checked from this machine the way
// a build meets it. The hosts are checked by `sshcc ping`'s code (a fresh connection each, not the agent's);
// the host list, PATH, the client and the masquerade folders are read here; core's diagnose() judges.

export interface DoctorOptions {
  /** The environment a build would run with: PATH, SSHCC_HOSTS, SSHCC_PACKS, SSHCC_KNOWN_HOSTS. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly homeDir: string;
  /** This sshcc executable (shim or launcher). */
  readonly self: string;
  /** Masquerade folders to check whether or not PATH lists them. */
  readonly masquerade: readonly string[];
  readonly timeoutMs: number;
  /** Names this client in the hellos, e.g. `sshcc-doctor/0.1.0`. */
  readonly client: string;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { env, cwd } = options;
  const { list, finding: hostList } = readHostList(options);
  const remote = (list?.hosts ?? []).filter((host): host is SshHost => host.kind === 'ssh');
  const pings = remote.length === 0 ? [] : await pingHosts(remote, { env, cwd, self: options.self, timeoutMs: options.timeoutMs, client: options.client });
  const path = (env.PATH ?? '').split(delimiter);
  const client = findClient(options.self, env, cwd);
  const masquerade = findMasqueradeDirs({ path, cwd, self: options.self, named: options.masquerade });
  const packsEnabled = env.SSHCC_PACKS !== '0';
  const problems = diagnose({
    hostList,
    hosts: remote.map((host, i) => hostFinding(host, pings[i] as PingReport)),
    client,
    masquerade,
    path,
    packsEnabled,
    knownHostsFile: env.SSHCC_KNOWN_HOSTS?.split(delimiter).find((file) => file !== '') ?? join(options.homeDir, '.ssh', 'known_hosts'),
  });
  // Parsed, not cast: a field the code adds and the public schema lacks fails here, and in the tests.
  return DoctorReportSchema.parse({
    ok: problems.length === 0,
    hostList: {
      source: hostList.source,
      searched: hostList.searched,
      error: hostList.error,
      warnings: hostList.warnings,
      hosts: (list?.hosts ?? []).map((host) => ({
        spec: host.spec,
        kind: host.kind,
        destination: host.kind === 'ssh' ? sshDestination(host) : 'this machine',
        slots: host.slots,
      })),
    },
    hosts: remote.map((host, i) => ({ ...(pings[i] as PingReport), slots: host.slots })),
    client,
    masquerade,
    path,
    packsEnabled,
    history: readCompileHistory(env),
    problems,
  });
}

function readHostList(options: DoctorOptions): { list: ResolvedHosts | null; finding: HostListFinding } {
  try {
    const list = resolveHostSources({ env: options.env, homeDir: options.homeDir, readFile: (file) => fs.readFileSync(file, 'utf8') });
    return {
      list,
      finding: {
        source: list.source,
        searched: list.searched,
        error: null,
        warnings: list.warnings.map((warning) => warning.message),
        remoteHosts: list.hosts.filter((host) => host.kind === 'ssh').length,
      },
    };
  } catch (err) {
    return { list: null, finding: { source: { kind: 'none' }, searched: [], error: formatError(err), warnings: [], remoteHosts: 0 } };
  }
}

/** ping's verdicts on the compilers it checked; diagnose() judges those itself (a pack may be on its way). */
const COMPILER_VERDICTS: ReadonlySet<string> = new Set(['compiler-missing', 'compiler-mismatch', 'remote-failed']);

/** What diagnose() needs of a ping: its failure, unless that is only its verdict on the compilers. */
function hostFinding(host: SshHost, ping: PingReport): HostFinding {
  const judgedApart = ping.server !== null && ping.error !== null && COMPILER_VERDICTS.has(ping.error.code);
  return {
    spec: host.spec,
    target: { host: host.host, user: host.user, port: host.port },
    failure: ping.error === null || judgedApart ? null : { code: ping.error.code, message: ping.error.message },
    reachable: ping.reachable,
    authOk: ping.authOk,
    server: ping.server === null ? null : { version: ping.server.version, noPush: ping.server.noPush },
    compilers: ping.compilers.map((check) => ({ name: check.name, status: check.status, detail: check.detail })),
    clock: ping.clock,
  };
}
