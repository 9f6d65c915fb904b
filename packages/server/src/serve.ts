import { arch, availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatError, isSshccError } from '@sshcc/core';
import { encodeFrame, MAX_HELLO_PACKS, serveJobs, type Capacity, type FrameIo } from '@sshcc/protocol';
import { compilerAllowlist } from './allowlist';
import { cacheRoot, cacheSettings, PackStore, ResultStore } from '@sshcc/store';
import { DEFAULT_MAX_JOB_SECONDS, loadServerConfig } from './config';
import { createJobHandler } from './job';
import { listCompilers } from './list-compilers';
import { sweepSync } from './sandbox';
import { sweepStaleJobDirs } from './sweep-stale-job-dirs';
import { SERVER_VERSION } from './version';
import { coordinatorAddress } from './slots/coordinator-name';
import { slotGate, type SlotGate } from './slots/slot-gate';
import { SlotLink } from './slots/slot-link';
import { loadSystemSlots } from './slots/system-slots-config';

export interface ServeOptions {
  /**
   * argv that starts this account's slot coordinator (main.ts: this script with `--slots-coordinator`).
   * Absent: no slots are kept (serve() run inside another program: the fuzzer).
   */
  readonly coordinator?: readonly string[];
}

/** sshcc-server exits with the exit code of the failure that ended it (core's table), else 0. */
const EXIT_PROTOCOL = 113;
const EXIT_CONFIG = 102;
/** A job dir untouched this long past the longest compile belongs to no live server. */
const STALE_MARGIN_MS = 5 * 60 * 1000;

/**
 * Serves jobs on `io` until the client closes it, a signal arrives or the client breaks the
 * protocol. On the way out every compiler is killed and every job dir removed.
 */
export async function serve(io: FrameIo, env: NodeJS.ProcessEnv = process.env, options: ServeOptions = {}): Promise<number> {
  let config;
  let settings;
  let slots: SlotGate | null;
  try {
    config = loadServerConfig(env);
    settings = cacheSettings('volunteer', env, config.cache);
    slots = options.coordinator === undefined ? null : openSlots(options.coordinator, env);
  } catch (err) {
    // The client reads frames, not stderr: say it in an error frame so the agent can report it.
    const message = `config: ${(err as Error).message}`;
    io.output.write(encodeFrame('error', Buffer.from(JSON.stringify({ message }))));
    io.output.end();
    process.stderr.write(`${formatError(err)}\n`);
    return EXIT_CONFIG;
  }
  // Said on every session's stderr (sshd's log) and by --check; the session serves on with the CPU count.
  if (config.slotsError !== null) process.stderr.write(`sshcc-server: config: ${config.slotsError}\n`);
  const allowlist = compilerAllowlist(config.compilers);
  const cache = settings === null ? null : new ResultStore(settings);
  const packs = config.toolchainsMaxBytes === null ? null : new PackStore({ dir: join(cacheRoot(env), 'toolchains'), maxBytes: config.toolchainsMaxBytes });
  // Off the job's path: a dead server's leftovers are no one's hurry.
  void sweepStaleJobDirs(tmpdir(), Math.max(config.maxJobSeconds, DEFAULT_MAX_JOB_SECONDS) * 1000 + STALE_MARGIN_MS);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, onSignal);
  process.on('exit', sweepSync);
  try {
    await serveJobs(io, {
      offer: {
        server: `sshcc-server/${SERVER_VERSION}`,
        cpus: availableParallelism(),
        load: loadavg().map((l) => Math.round(l * 100) / 100),
        compilers: listCompilers(allowlist, env.PATH),
        cache: cache !== null,
        arch: arch(),
        ...(packs === null ? {} : { packs: (await packs.held()).slice(0, MAX_HELLO_PACKS) }),
        ...(await helloCapacity(slots)),
      },
      handler: createJobHandler({ allowlist, maxJobSeconds: config.maxJobSeconds, env, cache, packs, slots }),
      packs,
      signal: controller.signal,
    });
    return 0;
  } catch (err) {
    process.stderr.write(`${formatError(err)}\n`);
    return isSshccError(err) ? err.exitCode : EXIT_PROTOCOL;
  } finally {
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(signal, onSignal);
    // The exit hook covers an exit while serving; once done, a caller that serves again (a test, the
    // fuzzer: thousands of times in one process) must not pile hooks up.
    process.off('exit', sweepSync);
    sweepSync();
    slots?.close();
  }
}

function openSlots(coordinator: readonly string[], env: NodeJS.ProcessEnv): SlotGate {
  const system = loadSystemSlots(env);
  if (system.error !== null) process.stderr.write(`sshcc-server: system config: ${system.error}; no cap across accounts\n`);
  return slotGate(new SlotLink({ address: coordinatorAddress(env), coordinator, env }), system.shared);
}

/** The hello's capacity; a coordinator that cannot be reached leaves it out (and each job then says why it fails). */
async function helloCapacity(slots: SlotGate | null): Promise<{ capacity?: Capacity }> {
  if (slots === null) return {};
  try {
    return { capacity: await slots.status() };
  } catch (err) {
    process.stderr.write(`sshcc-server: slots: ${(err as Error).message}\n`);
    return {};
  }
}
