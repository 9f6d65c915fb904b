import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { appendFileSync, readFileSync } from 'node:fs';
import { analyzeArgs, formatError, SshccError, type RemoteAnalysis } from '@sshcc/core';
import { cacheKey, DATA_CHUNK_BYTES, type ByteSource, type ClientSession, type CompilerFingerprint, type JobResult, type JobSpec } from '@sshcc/protocol';
import { fingerprintCompiler } from '@sshcc/server';
import type { CompileAnswer, CompileContext, CompileRequest } from '../agent/types';
import { NO_JOB_EVENTS, type JobEvents, type JobRecorder } from '../events';
import { findRealCompiler } from '../masquerade/find-real-compiler';
import type { SshPool } from '../pool';
import type { Scheduler } from '../queue';
import { jobNote, type JobPlace } from './job-note';
import { remoteJobSpec } from './remote-job-spec';
import type { AgentCache, AgentCacheHit } from './result-cache';
import { spawnCaptured, type CapturedRun } from './spawn-captured';
import { GrowingOutput, PreprocessorFailed } from './growing-output';
import { writeOutputsAtomically } from './write-outputs';

/** Preprocessed source or diagnostics past this are not a compile sshcc should hold in memory. */
const MAX_CAPTURED_BYTES = 512 * 1024 * 1024;

export interface CompileServiceOptions {
  readonly scheduler: Scheduler;
  readonly pool: SshPool<ClientSession> | null;
  /** Where each job's lifecycle goes: the agent's event feed (stats, `sshcc mon`, `sshcc trace`). */
  readonly events?: JobEvents;
  /** Appends one line per job (SSHCC_LOG, the agent's log). */
  readonly log: (line: string) => void;
  /** The user's result cache, consulted before a job is queued; null or absent: none. */
  readonly cache?: AgentCache | null;
}

/** Preprocessed output past this while cpp still runs is streamed: a full data frame is ready to go. */
const STREAM_AFTER_BYTES = DATA_CHUNK_BYTES;

/** What a remote attempt sends: the source (again from its start on each attempt) and its cache key. */
interface Upload {
  readonly source: () => ByteSource;
  /** Source bytes in hand so far (all of them once the job is answered). */
  readonly bytes: () => number;
  /**
   * The cache key when the source was whole before the upload; undefined for a streamed source (the
   * volunteer works it out at the end); null with the caches off.
   */
  readonly key: string | null | undefined;
  /**
   * Whether a big whole source waits for the volunteer's cache lookup (`need`). Not after a miss in the
   * agent's own cache: the volunteer likely misses too, and a miss should cost one round trip, not two.
   */
  readonly holdForLookup: boolean;
  /** The whole preprocessor run; null when it failed. Awaited before an answer is built from it. */
  readonly whole: Promise<CapturedRun | null>;
}

/** What running one job came to, before it is turned into the client's answer. */
interface Outcome {
  readonly answer: CompileAnswer;
  readonly place: JobPlace;
}

/**
 * The agent's handling of one compile: analyse it; run it where the analysis says it must; otherwise
 * preprocess here, send it to the best free volunteer, write the outputs atomically, and fall back to
 * another host or to this machine whenever anything remote fails. A build through sshcc must not fail
 * where a local build would succeed.
 */
export class CompileService {
  /** Hosts that lack a compiler or have a different one, per compiler fingerprint. */
  private readonly unfitHosts = new Map<string, Set<string>>();

  constructor(private readonly options: CompileServiceOptions) {}

  async handle(request: CompileRequest, context: CompileContext): Promise<CompileAnswer> {
    const { signal } = context;
    const job = (this.options.events ?? NO_JOB_EVENTS).begin(request);
    try {
      const answer = await this.run(request, context, job);
      job.end(answer);
      return answer;
    } catch (err) {
      job.end(null, signal.aborted ? 'cancelled' : 'error');
      throw err;
    }
  }

  private async run(request: CompileRequest, context: CompileContext, job: JobRecorder): Promise<CompileAnswer> {
    const compiler = findRealCompiler(request.argv[0] as string, { path: request.env.PATH, cwd: request.cwd, self: request.clientExe });
    if (compiler === undefined) {
      return failure(new SshccError('compiler-not-found', `${request.argv[0]} is not on PATH (sshcc itself skipped)`));
    }
    const analysis = analyzeArgs(request.argv, { cwd: request.cwd, env: request.env, readFile: (path) => readFileSync(path, 'utf8') });
    job.analysed(analysis);
    let outcome: Outcome;
    if (analysis.mode === 'local') {
      outcome = { answer: execLocally(compiler, request), place: { kind: 'local', why: analysis.detail } };
      job.countLocal(analysis.reason, false);
    } else if (this.options.pool === null) {
      outcome = { answer: execLocally(compiler, request), place: { kind: 'local', why: 'no remote hosts are configured' } };
      job.countLocal('no-hosts', false);
    } else {
      outcome = await this.distribute(request, analysis, compiler, context, job);
    }
    const note = jobNote(request.cwd, analysis.mode === 'remote' ? analysis.output : undefined, request.argv[0] as string, outcome.place);
    this.options.log(note);
    if (request.env.SSHCC_LOG) appendNote(request.env.SSHCC_LOG, note);
    return request.env.SSHCC_VERBOSE === '1' ? withNote(outcome.answer, note) : outcome.answer;
  }

  private async distribute(request: CompileRequest, analysis: RemoteAnalysis, compiler: string, context: CompileContext, job: JobRecorder): Promise<Outcome> {
    const output = new GrowingOutput();
    const preprocessing = this.preprocess(request, analysis, compiler, context, job, output);
    const cache = this.cacheFor(request);
    const command = commandId(compiler, request);
    // A source still growing past the first data frame goes up while cpp writes the rest; a smaller one
    // is whole before a stream would gain anything, and keeps the cache lookups that need it whole, as
    // does one whose command line was answered from the cache or stored in it last time.
    const streaming = !(await this.likelyCached(cache, command)) && (await output.pastWhileRunning(STREAM_AFTER_BYTES));
    if (streaming) return this.distributeStreamed(request, analysis, compiler, context, job, { output, preprocessing, cache, command });
    const preprocessed = await preprocessing;
    if (preprocessed === null) return this.preprocessFailed(compiler, request, job);
    const fingerprint = await fingerprintCompiler(compiler, { env: request.env });
    const spec = remoteJobSpec(analysis, fingerprint, request, preprocessed.stdout.length);
    // With the caches off, a null key tells the volunteer to neither look up nor store.
    const key = cachesOff(request) ? null : cacheKey(spec, preprocessed.stdout);
    if (cache !== null && key !== null) {
      const hit = await this.lookUp(cache, key, spec, analysis, job);
      if (hit !== null) return this.answerFromCache(request, analysis, preprocessed, hit, job, { cache, key, command });
    }
    const upload: Upload = {
      source: () => preprocessed.stdout,
      bytes: () => preprocessed.stdout.length,
      key,
      holdForLookup: cache === null,
      whole: Promise.resolve(preprocessed),
    };
    return this.compileRemotely(request, analysis, compiler, spec, upload, { cache, command }, context.signal, job);
  }

  /** Whether this command line's last result is still in the cache: its job is then likely a hit. */
  private async likelyCached(cache: AgentCache | null, command: string): Promise<boolean> {
    const key = cache?.recentKeys.get(command);
    return cache !== null && key !== undefined && (await cache.results.has(key));
  }

  /**
   * A job sent while its preprocessor still runs. Its cache key needs the whole source, so the agent's
   * cache is looked up when cpp ends: a hit then cancels the remote job. The volunteer does the same
   * with its own cache once the source has reached it (`cacheAtEnd`).
   */
  private async distributeStreamed(
    request: CompileRequest,
    analysis: RemoteAnalysis,
    compiler: string,
    context: CompileContext,
    job: JobRecorder,
    { output, preprocessing, cache, command }: { output: GrowingOutput; preprocessing: Promise<CapturedRun | null>; cache: AgentCache | null; command: string },
  ): Promise<Outcome> {
    // Never rejects: an abort reaches the remote job through the signal, and is thrown from there.
    const whole = preprocessing.catch(() => null);
    job.streamed();
    const remote = new AbortController();
    const forward = (): void => remote.abort(context.signal.reason);
    context.signal.addEventListener('abort', forward, { once: true });
    try {
      const fingerprint = await fingerprintCompiler(compiler, { env: request.env });
      const spec = remoteJobSpec(analysis, fingerprint, request, null);
      const upload: Upload = { source: () => output.read(), bytes: () => output.size, key: cachesOff(request) ? null : undefined, holdForLookup: false, whole };
      let remoteDone = false;
      const compiling = this.compileRemotely(request, analysis, compiler, spec, upload, { cache, command }, remote.signal, job);
      const settled = compiling.then(
        () => (remoteDone = true),
        () => (remoteDone = true),
      );
      await Promise.race([settled, whole]);
      const preprocessed = remoteDone || cache === null ? null : await whole;
      if (preprocessed !== null && cache !== null) {
        const key = cacheKey(spec, preprocessed.stdout);
        const hit = await this.lookUp(cache, key, spec, analysis, job);
        if (hit !== null && !remoteDone) {
          remote.abort(new SshccError('internal', 'answered from the result cache'));
          await settled;
          return await this.answerFromCache(request, analysis, preprocessed, hit, job, { cache, key, command });
        }
      }
      return await compiling;
    } finally {
      context.signal.removeEventListener('abort', forward);
      // The cpp slot and the client's preprocessor run are over before the client gets its answer.
      await whole;
    }
  }

  /** The user's cache for this build, unless the build turned the caches off. */
  private cacheFor(request: CompileRequest): AgentCache | null {
    return cachesOff(request) ? null : (this.options.cache ?? null);
  }

  private async lookUp(cache: AgentCache, key: string, spec: JobSpec, analysis: RemoteAnalysis, job: JobRecorder): Promise<AgentCacheHit | null> {
    const hit = await cache.lookup(key, spec);
    job.cacheLookup(hit ? 'hit' : 'miss');
    // A gcc answer with diagnostics is no answer here (see quotesWrongSource): it goes on as a miss.
    return hit !== null && !(analysis.family === 'gcc' && hit.stderr.length > 0) ? hit : null;
  }

  private preprocessFailed(compiler: string, request: CompileRequest, job: JobRecorder): Outcome {
    // The compiler's own diagnostics, exactly as it prints them, come from running it for real.
    job.countLocal('preprocess-failed', false);
    return { answer: execLocally(compiler, request), place: { kind: 'local', why: 'preprocessing failed' } };
  }

  /** Sends the job to the best free volunteer, and on to another (or here) whenever one fails. */
  private async compileRemotely(
    request: CompileRequest,
    analysis: RemoteAnalysis,
    compiler: string,
    spec: JobSpec,
    upload: Upload,
    { cache, command }: { cache: AgentCache | null; command: string },
    signal: AbortSignal,
    job: JobRecorder,
  ): Promise<Outcome> {
    const { scheduler } = this.options;
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
        if (err instanceof PreprocessorFailed) return this.preprocessFailed(compiler, request, job);
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
      const missing = result.kind === 'compiled' ? missingOutput(analysis, result) : undefined;
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
        if (preprocessed === null) return this.preprocessFailed(compiler, request, job);
        await this.finishRemote(request, analysis, result);
        if (cache !== null) {
          const key = upload.key ?? cacheKey(spec, preprocessed.stdout);
          if (await cache.store(key, spec, result)) cache.recentKeys.set(command, key);
        }
        job.countRemote(host, failures.length > 0);
        // clang's -frewrite-includes step repeats its diagnostics in the compile; gcc's directives-only
        // step reports some (#warning) that its compile does not.
        const stderr = analysis.family === 'clang' ? result.stderr : Buffer.concat([preprocessed.stderr, result.stderr]);
        const answer: CompileAnswer = { kind: 'result', exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr };
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
      if (result.kind === 'remote-failed') this.options.pool?.reportHostFault(host, new SshccError('remote-failed', `${host}: ${result.message}`));
    }
  }

  /** The preprocessed source, also fed to `output` as it comes; null (and `output` failed) when cpp fails. */
  private async preprocess(
    request: CompileRequest,
    analysis: RemoteAnalysis,
    compiler: string,
    context: CompileContext,
    job: JobRecorder,
    output: GrowingOutput,
  ): Promise<CapturedRun | null> {
    try {
      if (analysis.preprocessArgv === null) {
        const source = await readFile(analysis.input).catch(() => null);
        if (source === null) return null;
        output.push(source);
        output.end(true);
        return { exitCode: 0, signal: null, stdout: source, stderr: Buffer.alloc(0) };
      }
      const { signal } = context;
      const release = await job.cppSlot(this.options.scheduler.acquireCpp(signal));
      try {
        const argv = [compiler, ...analysis.preprocessArgv.slice(1)];
        const onStdout = (chunk: Buffer): void => output.push(chunk);
        const run = context.preprocess
          ? await context.preprocess(argv, { maxOutputBytes: MAX_CAPTURED_BYTES, signal, onStdout })
          : await spawnCaptured(argv, { cwd: request.cwd, env: request.env, umask: request.umask, signal, maxOutputBytes: MAX_CAPTURED_BYTES, onStdout });
        output.end(run.exitCode === 0);
        return run.exitCode === 0 ? run : null;
      } finally {
        release();
      }
    } finally {
      // Whatever ended it early (an abort, say) ends the stream as failed: a reader never waits forever.
      output.end(false);
    }
  }

  private async runRemote(host: string, spec: JobSpec, upload: Upload, signal: AbortSignal, job: JobRecorder, timing: { workerAt: number }): Promise<JobResult> {
    const pool = this.options.pool as SshPool<ClientSession>;
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

  /** A hit in the agent's cache: its outputs written as a remote compile's would be, no network at all. */
  private async answerFromCache(
    request: CompileRequest,
    analysis: RemoteAnalysis,
    preprocessed: CapturedRun,
    hit: AgentCacheHit,
    job: JobRecorder,
    { cache, key, command }: { cache: AgentCache; key: string; command: string },
  ): Promise<Outcome> {
    cache.recentKeys.set(command, key);
    const targets = [...analysis.extraOutputs, analysis.output];
    await writeOutputsAtomically(targets.map((path) => ({ path, data: hit.outputs.get(basename(path)) as Buffer })), request.umask);
    job.countLocal('agent-cache', false);
    const stderr = analysis.family === 'clang' ? hit.stderr : Buffer.concat([preprocessed.stderr, hit.stderr]);
    return { answer: { kind: 'result', exitCode: hit.exitCode, stdout: hit.stdout, stderr }, place: { kind: 'local', why: 'answered from the result cache' } };
  }

  /** Writes a successful compile's outputs beside their targets and renames them into place. */
  private async finishRemote(request: CompileRequest, analysis: RemoteAnalysis, result: JobResult): Promise<void> {
    // The main object goes last: its presence then implies its companions (.dwo) are in place.
    const targets = [...analysis.extraOutputs, analysis.output];
    const outputs = targets.map((path) => {
      const data = result.outputs.get(basename(path));
      if (data === undefined) throw new SshccError('remote-failed', `the volunteer returned no ${path}`);
      return { path, data };
    });
    await writeOutputsAtomically(outputs, request.umask);
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

/** The first target a successful remote compile should have returned and did not (by its name in the job dir). */
function missingOutput(analysis: RemoteAnalysis, result: JobResult): string | undefined {
  return [analysis.output, ...analysis.extraOutputs].find((path) => !result.outputs.has(path.slice(path.lastIndexOf('/') + 1)));
}

/**
 * One line to the client's SSHCC_LOG. Synchronous on purpose: three syscalls cost the agent's thread
 * microseconds, where the promise API's trip through the thread pool cost it ~0.8 ms of CPU per job.
 */
function appendNote(file: string, note: string): void {
  try {
    appendFileSync(file, `${note}\n`);
  } catch {
    // a log that cannot be written must not fail the compile
  }
}

/** SSHCC_CACHE=0 in the build's own environment turns off both caches, the agent's and the volunteers'. */
function cachesOff(request: CompileRequest): boolean {
  return request.env.SSHCC_CACHE === '0';
}

/** One compile command as the build gives it, hashed: what RecentKeys remembers keys by. */
function commandId(compiler: string, request: CompileRequest): string {
  return createHash('sha256').update(JSON.stringify([compiler, request.cwd, request.argv])).digest('base64');
}

function execLocally(compiler: string, request: CompileRequest): CompileAnswer {
  return { kind: 'exec', argv: [compiler, ...request.argv.slice(1)] };
}

function failure(err: SshccError): CompileAnswer {
  return { kind: 'result', exitCode: err.exitCode, stdout: Buffer.alloc(0), stderr: Buffer.from(`${formatError(err)}\n`) };
}

function withNote(answer: CompileAnswer, note: string): CompileAnswer {
  // An exec answer's stderr is written by the client before it runs the compiler.
  return { ...answer, stderr: Buffer.concat([answer.stderr ?? Buffer.alloc(0), Buffer.from(`${note}\n`)]) };
}
