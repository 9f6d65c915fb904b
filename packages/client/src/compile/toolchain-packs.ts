// The agent's toolchain packs: built once per compiler, pushed to each host that lacks the compiler (again
// after a wait if that failed), while the build goes on without that host for that compiler.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { arch } from 'node:os';
import { formatError } from '@sshcc/core';
import type { ClientSession, CompilerFingerprint, ServerHello } from '@sshcc/protocol';
import { describePack, readCachedManifest, selectFromArchive, type DescribedPack } from '@sshcc/store';
import { compilerKey, type HostTable } from '../hosts';
import type { PackPush } from '../events';
import type { SshPool } from '../pool';
import { PushAttempts } from './push-attempts';

export interface ToolchainPacksOptions {
  readonly pool: SshPool<ClientSession>;
  readonly hosts: HostTable;
  /** `$XDG_CACHE_HOME/sshcc/packs`. */
  readonly packsDir: string;
  readonly report: (push: PackPush) => void;
}

/** SSHCC_PACKS=0 turns pushing off: a host without the compiler then stays unfit for it, as before packs. */
export function packsEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.SSHCC_PACKS !== '0';
}

/**
 * Why a host does not get the pack, in the volunteer's own words (a full disk, a refused entry) or ours
 * (its arch): logged as it is, where anything else thrown on the way is a fault of the agent's.
 */
class NotPushed extends Error {}

/**
 * Why the agent pushes no toolchain pack to a server, from its hello; null when it would push one. The
 * agent and `sshcc ping` both ask this, so ping says what a build will do.
 */
export function whyNoPush(hello: Pick<ServerHello, 'arch' | 'packs'>, localArch: string): string | null {
  // An arch the server names comes first: a server that took packs still could not run this machine's.
  if (hello.arch !== undefined && hello.arch !== localArch) {
    return `it is ${hello.arch}, this machine ${localArch}: it cannot run this machine's compilers, so it takes only jobs whose compiler it has itself with an identical fingerprint`;
  }
  if (hello.packs === undefined) return 'its sshcc-server takes no toolchain packs (an older version, or toolchains.enabled is false)';
  if (hello.arch === undefined) return `it does not say its arch, so it may not run this machine's (${localArch}) compilers`;
  return null;
}

export class ToolchainPacks {
  private readonly built = new Map<string, Promise<DescribedPack>>();
  private readonly ready = new Map<string, string>();
  /** Per compiler, the one look for a built pack in the packs dir. */
  private readonly looked = new Map<string, Promise<void>>();
  /** host + compiler: one push at a time, a failed one tried again only after a wait. */
  private readonly attempts = new PushAttempts();

  constructor(private readonly options: ToolchainPacksOptions) {}

  /**
   * The id of the compiler's pack once known (a job then names it, for hosts that hold it): from a push
   * of this agent, or a manifest an earlier agent left in the packs dir, so a restarted agent's first job
   * runs on a volunteer that holds the pack, without a compiler-missing round. The dir is read once per
   * compiler; after that the answer is a settled promise.
   */
  packOf(compiler: CompilerFingerprint): Promise<string | undefined> {
    const key = compilerKey(compiler);
    const known = this.ready.get(key);
    if (known !== undefined) return Promise.resolve(known);
    let looking = this.looked.get(key);
    if (looking === undefined) {
      looking = this.findBuilt(key);
      this.looked.set(key, looking);
    }
    return looking.then(() => this.ready.get(key));
  }

  private async findBuilt(key: string): Promise<void> {
    const { packsDir } = this.options;
    const names = await readdir(packsDir).catch(() => [] as string[]);
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      const manifest = await readCachedManifest(packsDir, id);
      if (manifest !== null && manifest.arch === arch() && compilerKey(manifest.fingerprint) === key) {
        if (!this.ready.has(key)) this.ready.set(key, id);
        return;
      }
    }
  }

  /**
   * The host lacks the compiler: build its pack (once) and push it over a channel of its own. The host
   * takes that compiler's jobs again only once the push has been stored and checked there.
   */
  offer(host: string, compilerPath: string, compiler: CompilerFingerprint): void {
    const key = `${host}\0${compilerKey(compiler)}`;
    if (!this.attempts.begin(key)) return;
    void this.push(host, compilerPath, compiler).then((held) => {
      if (held) return this.attempts.succeeded(key);
      // The host stays unfit for the compiler until the wait is over; its next job's compiler-missing
      // answer then offers the push again.
      setTimeout(() => this.options.hosts.clearUnfit(host, compiler), this.attempts.failed(key)).unref();
    });
  }

  /** Whether the host now holds the pack. */
  private async push(host: string, compilerPath: string, compiler: CompilerFingerprint): Promise<boolean> {
    const { pool, hosts, report } = this.options;
    const started = Date.now();
    let pack: DescribedPack | null = null;
    let side: { readonly session: ClientSession; close(): void } | null = null;
    try {
      // The hello first: a host that cannot take the pack costs no hashing of it.
      side = await pool.openSide(host);
      const refused = whyNoPush(side.session.hello, arch());
      if (refused !== null) throw new NotPushed(refused);
      pack = await this.build(compilerPath, compiler);
      report({ host, pack: pack.id, state: 'pushing', wireBytes: null, filesSent: null, files: pack.manifest.files.length, ms: null, message: `pushing the ${compiler.version} pack (${mib(pack.unpackedBytes)} unpacked)` });
      const built = pack;
      const distinct = new Set(built.manifest.files.map((file) => file.sha256)).size;
      const outcome = await side.session.pushPack(built.manifest, (wanted) => archiveFor(built, wanted, distinct));
      if (!outcome.ok) throw new NotPushed(outcome.message);
      hosts.notePacks(host, [built.id]);
      hosts.clearUnfit(host, compiler);
      report({
        host,
        pack: built.id,
        state: 'held',
        wireBytes: outcome.wireBytes,
        filesSent: outcome.sent.length,
        files: built.manifest.files.length,
        ms: Date.now() - started,
        message: outcome.sent.length === 0 ? 'the host had every file already' : `sent ${outcome.sent.length} of ${distinct} files, ${mib(outcome.wireBytes)}`,
      });
      return true;
    } catch (err) {
      report({
        host,
        pack: pack?.id ?? '',
        state: 'failed',
        wireBytes: null,
        filesSent: null,
        files: pack?.manifest.files.length ?? 0,
        ms: Date.now() - started,
        message: err instanceof NotPushed ? err.message : formatError(err).replace(/^sshcc: /, ''),
      });
      return false;
    } finally {
      side?.close();
    }
  }

  private build(compilerPath: string, compiler: CompilerFingerprint): Promise<DescribedPack> {
    const key = compilerKey(compiler);
    let building = this.built.get(key);
    if (building === undefined) {
      building = describePack(compilerPath, compiler, this.options.packsDir);
      this.built.set(key, building);
      building.then(
        (pack) => this.ready.set(key, pack.id),
        () => this.built.delete(key),
      );
    }
    return building;
  }
}

/** What the volunteer wants: the whole archive as built, or a new one of just those files. */
async function* archiveFor(pack: DescribedPack, wanted: readonly string[], distinct: number): AsyncGenerator<Uint8Array> {
  const { path } = await pack.archive();
  yield* wanted.length === distinct ? createReadStream(path) : selectFromArchive(path, wanted, pack.unpackedBytes);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
