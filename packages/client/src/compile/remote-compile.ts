// The failover loop of one remote job: a volunteer, then another, then this machine, until one of
// them gives an answer the build can use.
import { formatError, SshccError, type RemoteAnalysis } from '@sshcc/core';
import { type ByteSource, type ClientSession, type CompilerFingerprint, type JobResult, type JobSpec } from '@sshcc/protocol';
import type { CompileAnswer, CompileRequest } from '../wire/messages';
import type { JobRecorder } from '../events';
import type { SshPool } from '../pool';
import type { Scheduler } from '../queue';
import { answerCompiled, missingOutput } from './compiled-answer';
import { PreprocessorFailed } from './growing-output';
import { execLocally, failure, MAX_CAPTURED_BYTES, preprocessFailed, type Outcome } from './job-outcome';
import type { AgentCache } from './result-cache';
import { spawnCaptured } from './spawn-captured';
import { type CapturedRun } from '../wire/messages';

/** What a remote attempt sends: the source (again from its start on each attempt) and its cache key. */
export interface Upload {
  readonly source: () => ByteSource;
  /** Source bytes in hand so far (all of them once the job is answered). */
  readonly bytes: () => number;
  /**
   * The cache key when the source was whole before the upload; undefined for a streamed source (the
   * volunteer works it out at the end); null with the caches off.
   */
  readonly key: string | null | undefined;
  /** The key the agent's cache stores the result under, from the whole source; hashed once per job. */
  readonly keyOfWhole: (whole: CapturedRun) => string;
  /**
   * Whether a big whole source waits for the volunteer's cache lookup (`need`). Not after a miss in the
   * agent's own cache: the volunteer likely misses too, and a miss should cost one round trip, not two.
   */
  readonly holdForLookup: boolean;
  /** The whole preprocessor run; null when it failed. Awaited before an answer is built from it. */
  readonly whole: Promise<CapturedRun | null>;
}

/** The agent cache as one job uses it; `command` names its command line in the cache's recent keys. */
export interface JobCaching {
  readonly cache: AgentCache;
  readonly command: string;
}

/**
 * Runs analysed jobs on volunteers and falls back to another host or to this machine whenever anything
 * remote fails. A build through sshcc must not fail where a local build would succeed.
 */
export class RemoteCompile {
  /** Hosts that lack a compiler or have a different one, per compiler fingerprint. */
  private readonly unfitHosts = new Map<string, Set<string>>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly pool: SshPool<ClientSession> | null,
  ) {}

  /** Sends the job to the best free volunteer, and on to another (or here) whenever one fails. */
  async run(
    request: CompileRequest,
    analysis: RemoteAnalysis,
    compiler: string,
    spec: JobSpec,
    upload: Upload,
    caching: JobCaching | null,
    signal: AbortSignal,
    job: JobRecorder,
  ): Promise<Outcome> {
    const { scheduler } = this;
    const unfit = this.unfitFor(spec.fingerprint);
    const avoid = new Set<string>(unfit);
    const failures: string[] = [];
    for (;;) {
      const grant = await job.compileSlot(scheduler.acquireCompile({ avoid }, signal));
      if (grant.kind === 'local') {
        try {
          return await this.compileHere(request, compiler, grant.hostId === null, failures, signal, job);
        } finally {
          grant.release();
        }
      }
      const host = grant.hostId;
      const started = Date.now();
      // The host's speed is measured from when a worker was in hand: a connect before it (a host back
      // from a backoff) says nothing about how fast it compiles, and would keep it last in the queue.
      const timing = { workerAt: started };
      let result: JobResult;
      try {
        result = await this.runRemote(host, spec, upload, signal, job, timing);
      } catch (err) {
        job.remoteFailed(err);
        grant.release();
        if (err instanceof PreprocessorFailed) return preprocessFailed(compiler, request, job);
        if (signal.aborted) throw err;
        avoid.add(host);
        failures.push(`${host}: ${formatError(err).replace(/^sshcc: /, '')}`);
        continue;
      }
      if (result.kind === 'compiled' && result.exitCode === null) {
        // The compiler crashed on the volunteer (killed by a signal): that host's problem, not the source's.
        grant.release();
        avoid.add(host);
        failures.push(`${host}: the compiler died of ${result.signal ?? 'a signal'}`);
        continue;
      }
      if (result.kind === 'compiled' && result.exitCode !== 0) {
        // A volunteer cannot quote source lines under its diagnostics (it has no source files), so
        // a failed compile is rerun here: the user sees the compiler's own error, caret and all.
        // The rerun leaves the targets as gcc does (an earlier object survives a cc1 error), so none is removed here.
        grant.release();
        job.countLocal('compile-error', false);
        return { answer: execLocally(compiler, request), place: { kind: 'local', why: `it failed on ${host}; rerun here for exact diagnostics` } };
      }
      if (result.kind === 'compiled' && quotesWrongSource(analysis, result)) {
        // gcc quotes the source line under a diagnostic by reading the file its line markers name: on the
        // volunteer that is absent (src/x.c: no quote) or the preprocessed input itself (x.c in the job dir:
        // a wrong line). Only a compile here prints what a local build prints.
        grant.release({ ms: Date.now() - timing.workerAt, bytes: upload.bytes() });
        job.countLocal('diagnostics', false);
        return { answer: execLocally(compiler, request), place: { kind: 'local', why: `it printed diagnostics on ${host}; rerun here for exact diagnostics` } };
      }
      const missing = result.kind === 'compiled' ? missingOutput(analysis, result.outputs) : undefined;
      if (missing !== undefined) {
        // "Compiled, exit 0" without the object: a broken or lying volunteer. Its answer is no answer; the
        // job goes elsewhere like any remote failure, rather than failing in finishRemote.
        grant.release();
        avoid.add(host);
        failures.push(`${host}: the volunteer returned no ${missing}`);
        continue;
      }
      if (result.kind === 'compiled') {
        grant.release({ ms: Date.now() - timing.workerAt, bytes: upload.bytes() });
        // Streamed: the volunteer had it all, so cpp has ended well; its diagnostics are part of the answer.
        const preprocessed = await upload.whole;
        if (preprocessed === null) return preprocessFailed(compiler, request, job);
        const answer = await answerCompiled(request, analysis, preprocessed, result);
        if (caching !== null) {
          const key = upload.keyOfWhole(preprocessed);
          if (await caching.cache.store(key, spec, result)) caching.cache.recentKeys.set(caching.command, key);
        }
        job.countRemote(host, failures.length > 0);
        return { answer, place: { kind: 'remote', host, ms: Date.now() - started } };
      }
      grant.release();
      if (result.kind === 'cancelled' && signal.aborted) throw signal.reason;
      if (result.kind === 'compiler-missing' || result.kind === 'compiler-mismatch') unfit.add(host);
      if (result.kind === 'refused') {
        job.countLocal('refused-remotely', true);
        return { answer: execLocally(compiler, request), place: { kind: 'local', why: `${host} refused it: ${result.message}` } };
      }
      avoid.add(host);
      failures.push(`${host}: ${result.kind}: ${result.message}`);
      // The volunteer failed, not the job (its TMPDIR is full, say): no new work for it until its backoff ends.
      if (result.kind === 'remote-failed') this.pool?.reportHostFault(host, new SshccError('remote-failed', `${host}: ${result.message}`));
    }
  }

  private async runRemote(host: string, spec: JobSpec, upload: Upload, signal: AbortSignal, job: JobRecorder, timing: { workerAt: number }): Promise<JobResult> {
    const pool = this.pool as SshPool<ClientSession>;
    const worker = await pool.acquire(host, signal);
    timing.workerAt = Date.now();
    let broken = true;
    try {
      const result = await worker.session.runJob(spec, upload.source(), {
        signal,
        onStage: (stage) => job.stage(stage),
        cacheKey: upload.key,
        holdSourceForLookup: upload.holdForLookup,
      });
      job.remoteDone(result);
      broken = false;
      return result;
    } catch (err) {
      // The job was cancelled on the volunteer and its answer read: the channel is in step for the next.
      if (err instanceof PreprocessorFailed) broken = false;
      throw err;
    } finally {
      pool.release(worker, { broken });
    }
  }

  /** Compiles on this machine inside the agent, holding a local compile slot so the machine isn't overloaded. */
  private async compileHere(request: CompileRequest, compiler: string, fallback: boolean, failures: readonly string[], signal: AbortSignal, job: JobRecorder): Promise<Outcome> {
    const why = fallback ? (failures.length > 0 ? `every volunteer failed (${failures.join('; ')})` : 'no volunteer is usable') : 'localhost slot';
    if (fallback && request.env.SSHCC_FALLBACK === '0') {
      return { answer: failure(new SshccError('no-hosts', `${why}; local fallback is off (SSHCC_FALLBACK=0)`)), place: { kind: 'local', why } };
    }
    const run = await spawnCaptured([compiler, ...request.argv.slice(1)], {
      cwd: request.cwd,
      env: request.env,
      umask: request.umask,
      signal,
      maxOutputBytes: MAX_CAPTURED_BYTES,
    });
    job.countLocal(fallback ? 'fallback' : 'localhost', failures.length > 0);
    const answer: CompileAnswer =
      run.signal !== null
        ? { kind: 'result', exitCode: 128 + run.signal, signal: run.signal, stdout: run.stdout, stderr: run.stderr }
        : { kind: 'result', exitCode: run.exitCode ?? 1, stdout: run.stdout, stderr: run.stderr };
    return { answer, place: { kind: 'local', why } };
  }

  private unfitFor(fingerprint: CompilerFingerprint): Set<string> {
    const key = JSON.stringify(fingerprint);
    let hosts = this.unfitHosts.get(key);
    if (hosts === undefined) this.unfitHosts.set(key, (hosts = new Set()));
    return hosts;
  }
}

/**
 * A gcc compile that printed diagnostics with source quotes on (gcc's default). clang quotes from the
 * buffer it compiles (the -frewrite-includes text), which holds the source lines themselves.
 */
function quotesWrongSource(analysis: RemoteAnalysis, result: JobResult): boolean {
  if (analysis.family !== 'gcc' || result.stderr.length === 0) return false;
  // The last of -f[no-]diagnostics-show-caret decides; -fdiagnostics-plain-output turns quotes off too.
  const switches = analysis.compileArgv.filter((arg) => /^-f(no-)?diagnostics-show-caret$|^-fdiagnostics-plain-output$/.test(arg));
  return switches.length === 0 || switches[switches.length - 1] === '-fdiagnostics-show-caret';
}
