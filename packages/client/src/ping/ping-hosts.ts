import { randomBytes } from 'node:crypto';
import { arch } from 'node:os';
import { estimateClockSkew, exitCodeFor, formatError, SshccError, type ClockSkew, type SshHost } from '@sshcc/core';
import type { ClientSession } from '@sshcc/protocol';
import { agentPacksDir } from '@sshcc/store';
import { whyNoPush } from '../compile/toolchain-packs';
import { packCompilers } from '../views/pack-names';
import { classifySshError, remoteServerCommand, SshPool, sshccHandshake, SUBSYSTEM_NAME, type PoolWorker, type WorkerHandshake } from '../pool';
import { checkCompilers } from './compiler-probe';
import { connectionStages } from './connection-stages';
import { measureRoundTrip } from './measure-round-trip';
import type { CompilerCheck, PingFailure, PingReport, PingServer } from './ping-report';

// `sshcc ping` makes its connections with the agent's own pool code (ssh_config, known_hosts, keys,
// subsystem-then-exec), so what it reports is what a build would meet. It does not go through a
// running agent: a fresh connection per host is the point of a check.

/** This ping's own id in its hello: a volunteer that knows it may answer 'busy', which an older client cannot read. */
const PING_ID = randomBytes(8).toString('hex');

/** For connecting, for the server's hello, and for each probe, unless the caller says otherwise. */
export const DEFAULT_PING_TIMEOUT_MS = 10_000;

export interface PingOptions {
  /** The client's environment: SSHCC_SSH_CONFIG, SSHCC_KNOWN_HOSTS, SSHCC_SERVER_COMMAND, PATH, HOME. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The sshcc executable, so a masquerade link is never taken for a local compiler. */
  readonly self: string;
  /** For connecting, for the server's hello, and for each probe. Default DEFAULT_PING_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Names this client in the hello, e.g. `sshcc-ping/0.1.0`. */
  readonly client?: string;
}

/** Pings every host at once; the reports come back in the order of `hosts`. */
export async function pingHosts(hosts: readonly SshHost[], options: PingOptions): Promise<PingReport[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  const started = performance.now();
  const connectedAt = new Map<string, number>();
  // Wall-clock times for the clock check: the hello was written after the connection was up (the
  // channel opens after this event) and before it was noticed here.
  const connectedWall = new Map<string, number>();
  const notes = new Map<string, string[]>(hosts.map((host) => [host.spec, []]));
  const compression = new Map(hosts.map((host) => [host.spec, host.compression ? ('zstd' as const) : ('none' as const)]));
  const helloAt = new Map<string, number>();
  const pool = new SshPool<ClientSession>({
    hosts: hosts.map((host) => ({ ...host, slots: 1 })),
    handshake: noteHelloTime(
      sshccHandshake((hostId) => ({ compression: compression.get(hostId) ?? 'zstd', client: options.client ?? 'sshcc-ping', agent: PING_ID })),
      (hostId) => helloAt.set(hostId, Date.now()),
    ),
    handshakeTimeoutMs: timeoutMs,
    connect: { env: options.env, connectTimeoutMs: timeoutMs },
  });
  pool.on('event', (event) => {
    if (event.type === 'connection-opened' && !connectedAt.has(event.hostId)) {
      connectedAt.set(event.hostId, performance.now());
      connectedWall.set(event.hostId, Date.now());
    }
    if (event.type === 'note') notes.get(event.hostId)?.push(event.message);
  });
  try {
    return await Promise.all(
      hosts.map(async (host): Promise<PingReport> => {
        let worker: PoolWorker<ClientSession> | undefined;
        let failure: SshccError | null = null;
        let server: PingServer | null = null;
        let compilers: CompilerCheck[] = [];
        let readyAt: number | null = null;
        let rttMs: number | null = null;
        let clock: ClockSkew | null = null;
        try {
          worker = await pool.acquire(host.spec);
          readyAt = performance.now();
          server = await describeServer(worker, options.env);
          rttMs = await measureRoundTrip(worker.session, options.cwd, timeoutMs);
          clock = clockSkew(worker.session.hello.time, connectedWall.get(host.spec), helloAt.get(host.spec));
          compilers = await checkCompilers(worker.session, worker.session.hello.compilers, { ...options, path: options.env.PATH, timeoutMs });
          failure = compilerFailure(host.spec, worker.session.hello.compilers, compilers);
        } catch (err) {
          failure = classifySshError(err, { destination: host.spec });
        } finally {
          if (worker !== undefined) pool.release(worker, { broken: failure !== null });
        }
        const connected = connectedAt.get(host.spec);
        return {
          host: host.spec,
          destination: pool.hostTable.get(host.spec).destination ?? null,
          usable: failure === null,
          ...connectionStages(failure, connected !== undefined),
          server,
          compilers,
          timings: {
            connectMs: connected === undefined ? null : round(connected - started),
            startMs: connected === undefined || readyAt === null ? null : round(readyAt - connected),
            rttMs: rttMs === null ? null : round(rttMs),
          },
          clock,
          error: failure === null ? null : pingFailure(failure),
          notes: notes.get(host.spec) ?? [],
        };
      }),
    );
  } finally {
    await pool.close();
  }
}

async function describeServer(worker: PoolWorker<ClientSession>, env: NodeJS.ProcessEnv): Promise<PingServer> {
  const { hello, protocol, compression } = worker.session;
  const compilers = await packCompilers(hello.packs ?? [], agentPacksDir(env));
  return {
    mode: worker.mode,
    command: worker.mode === 'subsystem' ? `subsystem ${SUBSYSTEM_NAME}` : remoteServerCommand(env),
    version: hello.server,
    protocol,
    protocols: hello.protocols,
    compression,
    cpus: hello.cpus,
    load: hello.load,
    capacity: hello.capacity ?? null,
    arch: hello.arch ?? null,
    packs: hello.packs?.map((id) => ({ id, compiler: compilers.get(id) ?? null })) ?? null,
    noPush: whyNoPush(hello, arch()),
  };
}

/** Tells `noted` when each host's hello arrived: the volunteer's clock in it is compared with this one. */
function noteHelloTime<S>(handshake: WorkerHandshake<S>, noted: (hostId: string) => void): WorkerHandshake<S> {
  return async (channel, info) => {
    const session = await handshake(channel, info);
    noted(info.hostId);
    return session;
  };
}

/** null where the server sends no time (an older one). */
function clockSkew(remoteMs: number | undefined, sentAtMs: number | undefined, receivedAtMs: number | undefined): ClockSkew | null {
  if (remoteMs === undefined || sentAtMs === undefined || receivedAtMs === undefined) return null;
  const { skewMs, uncertaintyMs } = estimateClockSkew({ remoteMs, sentAtMs, receivedAtMs });
  return { skewMs: round(skewMs), uncertaintyMs: round(uncertaintyMs) };
}

/** A volunteer that can compile none of this machine's compilers is no use to a build. */
function compilerFailure(spec: string, offered: readonly string[], checks: readonly CompilerCheck[]): SshccError | null {
  if (checks.some((check) => check.status === 'match')) return null;
  if (offered.length === 0) {
    return new SshccError('compiler-missing', `${spec} has no allowed compiler on its PATH`, { hint: 'see `sshcc-server --check` there' });
  }
  const compared = checks.filter((check) => check.here !== null);
  if (compared.length === 0) {
    return new SshccError('compiler-missing', `none of ${spec}'s compilers (${offered.join(', ')}) is on this machine's PATH`);
  }
  const first = compared[0] as CompilerCheck;
  const code = compared.some((check) => check.status === 'mismatch') ? 'compiler-mismatch' : 'remote-failed';
  return new SshccError(code, `no compiler on ${spec} matches this machine's`, { hint: `${first.name}: ${first.detail ?? first.status}` });
}

function pingFailure(error: SshccError): PingFailure {
  return { code: error.code, exitCode: exitCodeFor(error.code), message: formatError(error) };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
