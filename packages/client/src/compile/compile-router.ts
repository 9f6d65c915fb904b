import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { agentPacksDir } from '@sshcc/store';
import { hostListFiles, resolveHostSources, type HostList } from '@sshcc/core';
import type { ClientSession } from '@sshcc/protocol';
import type { CompileAnswer, CompileRequest } from '../wire/messages';
import type { CompileContext } from './handle-compile';
import { NO_JOB_EVENTS, type JobEvents } from '../events';
import { HostTable } from '../hosts';
import { SshPool, sshccHandshake, type WorkerHandshake } from '../pool';
import { Scheduler } from '../queue';
import { CompileService } from './compile-service';
import { packsEnabled, ToolchainPacks } from './toolchain-packs';
import type { AgentCache } from './result-cache';
import { WatchedFiles } from './watched-files';
import { PathWatches } from './path-watches';
import { CompilerLookup } from './compiler-lookup';
import { WatchedClientConfigs } from './verify-setting';
import { WatchedFingerprints } from './watched-fingerprints';

/** Client variables that decide where and how compiles go; clients that differ in them get their own pool. */
const ROUTING_VARIABLES = ['SSHCC_HOSTS', 'DISTCC_HOSTS', 'SSHCC_DIR', 'HOME', 'SSHCC_SSH_CONFIG', 'SSHCC_KNOWN_HOSTS', 'SSHCC_SERVER_COMMAND', 'SSH_AUTH_SOCK'] as const;
/** This agent in every hello: a volunteer shares its slots round-robin between agents, so each gets its turn. */
const AGENT_ID = randomBytes(8).toString('hex');
/** Distinct configurations kept at once; the oldest is closed past this (a user rarely has more than one). */
const MAX_CONFIGURATIONS = 4;

interface Route {
  readonly service: CompileService;
  readonly close: () => Promise<void>;
}

/**
 * Picks the compile service for a client's configuration: the host list it would read (SSHCC_HOSTS,
 * ~/.sshcc/hosts, …) and the ssh settings it would use. The agent acts as the client would, so two
 * builds with different host lists never share volunteers by accident.
 */
export class CompileRouter {
  private readonly routes = new Map<string, Route>();
  /** What the files a compile depends on resolve to, watched instead of stat'ed per compile. */
  private readonly watches = new PathWatches();
  /** The host-list files: an edit takes effect at the next compile, with no stat per compile. */
  private readonly hostFiles = new WatchedFiles(this.watches);
  private readonly compilers = new CompilerLookup(this.watches);
  private readonly configs = new WatchedClientConfigs(this.watches);
  private readonly fingerprints = new WatchedFingerprints(this.watches);

  /**
   * `events`: the agent's feed, told of every job, each configuration's hosts and the pool's host events.
   * `cache`: the user's result cache, one for every configuration (an object is the same wherever it came from).
   */
  constructor(
    private readonly log: (line: string) => void,
    private readonly events: JobEvents = NO_JOB_EVENTS,
    private readonly cache: AgentCache | null = null,
  ) {}

  handle(request: CompileRequest, context: CompileContext): Promise<CompileAnswer> {
    return this.routeFor(request.env).service.handle(request, context);
  }

  async close(): Promise<void> {
    this.watches.close();
    await Promise.all([...this.routes.values()].map((route) => route.close()));
    this.routes.clear();
  }

  private routeFor(env: Readonly<Record<string, string>>): Route {
    const key = JSON.stringify(ROUTING_VARIABLES.map((name) => env[name] ?? null)) + this.hostsFileStamp(env);
    const existing = this.routes.get(key);
    if (existing) return existing;
    const hosts = resolveHostSources({ env, homeDir: env.HOME ?? '/', readFile: (path) => readFileSync(path, 'utf8') });
    for (const warning of hosts.warnings) this.log(`hosts: ${warning.message}`);
    const route = this.makeRoute(hosts, env);
    this.routes.set(key, route);
    if (this.routes.size > MAX_CONFIGURATIONS) {
      const [oldestKey, oldest] = this.routes.entries().next().value as [string, Route];
      this.routes.delete(oldestKey);
      void oldest.close();
    }
    return route;
  }

  /** A hosts file edited while the agent runs takes effect: its stamp is part of the route key. */
  private hostsFileStamp(env: Readonly<Record<string, string>>): string {
    if (env.SSHCC_HOSTS !== undefined) return '';
    return hostListFiles(env, env.HOME ?? '/')
      .map((file) => `|${file}@${this.hostFiles.stampOf(file)}`)
      .join('');
  }

  private makeRoute(hosts: HostList, env: Readonly<Record<string, string>>): Route {
    const cores = cpus().length || 1;
    const localEntry = hosts.hosts.find((host) => host.kind === 'local');
    const sshHosts = hosts.hosts.flatMap((host) => (host.kind === 'ssh' ? [host] : []));
    const slots = {
      localCppSlots: hosts.localSlotsCpp ?? cores,
      localCompileSlots: hosts.localSlots ?? cores,
      hosts: [
        ...sshHosts.map((host) => ({ id: host.spec, slots: host.slots, compilerMap: host.compilerMap })),
        ...(localEntry ? [{ id: 'localhost', slots: localEntry.slots, local: true }] : []),
      ],
    };
    // One table of host state: the pool's backoffs reach the queue, and their ends wake it, without a relay.
    const hostTable = new HostTable(slots.hosts);
    hostTable.subscribeCapacity((host, capacity) => this.events.capacity(host, capacity));
    const scheduler = new Scheduler({ ...slots, hosts: hostTable, ...(hosts.randomize ? { rng: Math.random } : {}) });
    this.events.hosts({ hosts: slots.hosts, cppSlots: slots.localCppSlots, localSlots: slots.localCompileSlots });
    const compression = new Map(sshHosts.map((host) => [host.spec, host.compression ? ('zstd' as const) : ('none' as const)]));
    const pool =
      sshHosts.length === 0
        ? null
        : new SshPool<ClientSession>({
            hosts: sshHosts,
            hostTable,
            handshake: notingServer(hostTable, this.events, sshccHandshake((hostId) => ({ compression: compression.get(hostId) ?? 'zstd', client: 'sshcc-agent', agent: AGENT_ID }))),
            connect: { env: { ...env } },
          });
    pool?.on('event', (event) => {
      this.events.pool(event);
      if (event.type === 'host-backoff') this.log(`${event.hostId}: backed off for ${Math.round(event.delayMs / 1000)} s: ${event.error.message}`);
    });
    const packs =
      pool === null || !packsEnabled(env)
        ? null
        : new ToolchainPacks({
            pool,
            hosts: hostTable,
            packsDir: agentPacksDir(env),
            report: (push) => {
              this.events.pack(push);
              const took = push.ms === null ? '' : ` (${(push.ms / 1000).toFixed(1)} s)`;
              if (push.state !== 'pushing') this.log(`${push.host}: toolchain pack ${push.pack.slice(0, 12) || '(none)'} ${push.state === 'held' ? 'in place' : 'not pushed'}: ${push.message}${took}`);
            },
          });
    const service = new CompileService({
      scheduler,
      pool,
      events: this.events,
      log: this.log,
      cache: this.cache,
      packs,
      findCompiler: (name, options) => this.compilers.find(name, options),
      readConfig: (file) => this.configs.read(file),
      fingerprint: (compiler, env) => this.fingerprints.of(compiler, env),
    });
    return {
      service,
      close: async () => {
        await pool?.close();
        hostTable.close();
      },
    };
  }
}

/** Every hello tells the host table which packs the server holds, and the feed (so stats) when that changed. */
function notingServer(table: HostTable, events: JobEvents, handshake: WorkerHandshake<ClientSession>): WorkerHandshake<ClientSession> {
  const told = new Map<string, string>();
  return async (channel, info) => {
    const session = await handshake(channel, info);
    const { packs, capacity } = session.hello;
    table.notePacks(info.hostId, packs ?? []);
    if (capacity !== undefined) table.noteCapacity(info.hostId, capacity);
    // Every worker channel says hello: the feed hears a host's list once, and again only when it changed.
    const key = packs === undefined ? 'none taken' : [...packs].sort().join(' ');
    if (told.get(info.hostId) !== key) {
      told.set(info.hostId, key);
      events.packsHeld(info.hostId, packs ?? null);
    }
    return session;
  };
}
