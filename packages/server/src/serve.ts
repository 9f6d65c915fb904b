import { arch, availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatError, isSshccError } from '@sshcc/core';
import { encodeFrame, MAX_HELLO_PACKS, serveJobs, type FrameIo } from '@sshcc/protocol';
import { compilerAllowlist } from './allowlist';
import { cacheRoot, cacheSettings, PackStore, ResultStore } from '@sshcc/store';
import { DEFAULT_MAX_JOB_SECONDS, loadServerConfig } from './config';
import { createJobHandler } from './job';
import { listCompilers } from './list-compilers';
import { sweepSync } from './sandbox';
import { sweepStaleJobDirs } from './sweep-stale-job-dirs';
import { SERVER_VERSION } from './version';

/** sshcc-server exits with the exit code of the failure that ended it (core's table), else 0. */
const EXIT_PROTOCOL = 113;
const EXIT_CONFIG = 102;
/** A job dir untouched this long past the longest compile belongs to no live server. */
const STALE_MARGIN_MS = 5 * 60 * 1000;

/**
 * Serves jobs on `io` until the client closes it, a signal arrives or the client breaks the
 * protocol. On the way out every compiler is killed and every job dir removed.
 */
export async function serve(io: FrameIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config;
  let settings;
  try {
    config = loadServerConfig(env);
    settings = cacheSettings('volunteer', env, config.cache);
  } catch (err) {
    // The client reads frames, not stderr: say it in an error frame so the agent can report it.
    const message = `config: ${(err as Error).message}`;
    io.output.write(encodeFrame('error', Buffer.from(JSON.stringify({ message }))));
    io.output.end();
    process.stderr.write(`${formatError(err)}\n`);
    return EXIT_CONFIG;
  }
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
      },
      handler: createJobHandler({ allowlist, maxJobSeconds: config.maxJobSeconds, env, cache, packs }),
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
  }
}
