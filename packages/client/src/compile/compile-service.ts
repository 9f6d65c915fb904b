import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { analyzeArgs, departureText, SshccError, type RemoteAnalysis } from '@sshcc/core';
import { cacheKey, DATA_CHUNK_BYTES, dependsOnBuildTime, type ClientSession, type CompilerFingerprint, type JobSpec } from '@sshcc/protocol';
import { fingerprintCompiler } from '@sshcc/store';
import type { CompileAnswer, CompileRequest } from '../wire/messages';
import type { CompileContext } from './handle-compile';
import { NO_JOB_EVENTS, type JobEvents, type JobRecorder } from '../events';
import { findRealCompiler, type FindCompilerOptions } from '../masquerade/find-real-compiler';
import type { SshPool } from '../pool';
import type { Scheduler } from '../queue';
import { GrowingOutput } from './growing-output';
import { compileNote } from './compile-note';
import { tryDirect } from './direct-hit';
import { execLocally, failure, MAX_CAPTURED_BYTES, preprocessFailed, type Outcome } from './compile-outcome';
import { inexactFor } from './attempt-departure';
import { answerCompiled } from './compiled-answer';
import type { CompileCaching, Compilation, Upload, UploadKey } from './compilation';
import { RemoteCompile } from './remote-compile';
import type { ToolchainPacks } from './toolchain-packs';
import { remoteJobSpec } from './remote-job-spec';
import { hitAnswers, type AgentCache, type AgentCacheHit } from './result-cache';
import { spawnCaptured } from './spawn-captured';
import type { FingerprintOf } from './watched-fingerprints';
import { verifySetting, type ReadClientConfig, type VerifySetting } from './verify-setting';
import { type CapturedRun } from '../wire/messages';

export interface CompileServiceOptions {
  readonly scheduler: Scheduler;
  readonly pool: SshPool<ClientSession> | null;
  /** Where each job's lifecycle goes: the agent's event feed (stats, `sshcc mon`, `sshcc trace`). */
  readonly events?: JobEvents;
  /** Appends one line per job (SSHCC_LOG, the agent's log). */
  readonly log: (line: string) => void;
  /** The user's result cache, consulted before a job is queued; null or absent: none. */
  readonly cache?: AgentCache | null;
  /** Pushes toolchain packs to hosts that lack a compiler; null or absent: none are pushed. */
  readonly packs?: ToolchainPacks | null;
  /** How the compiler is found on the client's PATH (default findRealCompiler; the agent's remembers it, watched). */
  readonly findCompiler?: (name: string, options: FindCompilerOptions) => string | undefined;
  /** How the client's config file is read (default: stat'ed per compile; the agent's watches it). */
  readonly readConfig?: ReadClientConfig;
  /** How a compiler is fingerprinted (default fingerprintCompiler; the agent's keeps it while watched). */
  readonly fingerprint?: FingerprintOf;
}

/** Preprocessed output past this while cpp still runs is streamed: a full data frame is ready to go. */
const STREAM_AFTER_BYTES = DATA_CHUNK_BYTES;

/**
 * The agent's handling of one compile: analyse it; run it where the analysis says it must; otherwise
 * preprocess (streaming a big output as it comes), answer it from the result cache when it can, and
 * hand it to RemoteCompile, which finds it a volunteer or falls back to this machine. A build through
 * sshcc must not fail where a local build would succeed.
 */
export class CompileService {
  private readonly remote: RemoteCompile;

  constructor(private readonly options: CompileServiceOptions) {
    this.remote = new RemoteCompile(options.scheduler, options.pool, options.log, options.packs ?? null);
  }

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
    const find = this.options.findCompiler ?? findRealCompiler;
    const compiler = find(request.argv[0] as string, { path: request.env.PATH, cwd: request.cwd, self: request.clientExe });
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
      outcome = { answer: execLocally(compiler, request), place: { kind: 'local', why: departureText('no-hosts') } };
      job.countLocal('no-hosts', false);
    } else {
      const verify = settingOrError(request, this.options.readConfig);
      // The build asked for verification in words sshcc cannot read: said at once, never guessed at.
      if (verify instanceof SshccError) return failure(verify);
      outcome = await this.distribute(request, analysis, compiler, verify.rate, context, job);
    }
    const note = compileNote(request.cwd, analysis.mode === 'remote' ? analysis.output : undefined, request.argv[0] as string, outcome.place);
    this.options.log(note);
    if (request.env.SSHCC_LOG) appendNote(request.env.SSHCC_LOG, note);
    return request.env.SSHCC_VERBOSE === '1' ? withNote(outcome.answer, note) : outcome.answer;
  }

  private async distribute(request: CompileRequest, analysis: RemoteAnalysis, compiler: string, verifyRate: number, context: CompileContext, recorder: JobRecorder): Promise<Outcome> {
    const fingerprintOf = this.options.fingerprint ?? ((path, env) => fingerprintCompiler(path, { env }));
    const compilation: Compilation = {
      request,
      compiler,
      analysis,
      recorder,
      caching: this.cachingFor(compiler, request),
      verifyRate,
      fingerprint: (): Promise<CompilerFingerprint> => fingerprintOf(compiler, request.env),
    };
    const direct = await tryDirect(compilation);
    if (direct.outcome !== null) return direct.outcome;
    const output = new GrowingOutput();
    const preprocessing = this.preprocess(compilation, context, output);
    // A source still growing past the first data frame goes up while cpp writes the rest; a smaller one
    // is whole before a stream would gain anything, and keeps the cache lookups that need it whole, as
    // does one whose command line was answered from the cache or stored in it last time.
    const streaming = !(await this.likelyCached(compilation.caching)) && (await output.pastWhileRunning(STREAM_AFTER_BYTES));
    if (streaming) return this.distributeStreamed(compilation, context, output, preprocessing, direct.record);
    const preprocessed = await preprocessing;
    if (preprocessed === null) return preprocessFailed(compilation);
    const fingerprint = await compilation.fingerprint();
    const spec = remoteJobSpec(analysis, fingerprint, request, preprocessed.stdout.length);
    // With the caches off, the volunteer neither looks up nor stores.
    const known = cachesOff(request) ? null : cacheableKey(spec, preprocessed.stdout);
    const key: UploadKey = known === null ? { kind: 'off' } : { kind: 'known', key: known };
    if (key.kind === 'known') direct.record(preprocessed, key.key);
    if (compilation.caching !== null && key.kind === 'known') {
      const hit = await this.lookUp(compilation, key.key, spec, preprocessed);
      if (hit !== null) return this.answerFromCache(compilation, preprocessed, hit, key.key);
    }
    const upload: Upload = {
      source: () => preprocessed.stdout,
      bytes: () => preprocessed.stdout.length,
      key,
      keyOfWhole: (whole) => (key.kind === 'known' ? key.key : cacheableKey(spec, whole.stdout)),
      holdForLookup: compilation.caching === null,
      whole: Promise.resolve(preprocessed),
    };
    return this.remote.run(compilation, spec, upload, context.signal);
  }

  /** Whether this command line's last result is still in the cache: its compile is then likely a hit. */
  private async likelyCached(caching: CompileCaching | null): Promise<boolean> {
    const key = caching?.cache.recentKeys.get(caching.command);
    return caching !== null && key !== undefined && (await caching.cache.results.has(key));
  }

  /**
   * A compile sent while its preprocessor still runs. Its cache key needs the whole source, so the agent's
   * cache is looked up when cpp ends: a hit then cancels the remote attempt. The volunteer does the same
   * with its own cache once the source has reached it (`cacheAtEnd`).
   */
  private async distributeStreamed(
    compilation: Compilation,
    context: CompileContext,
    output: GrowingOutput,
    preprocessing: Promise<CapturedRun | null>,
    recordDirect: (run: CapturedRun, key: string) => void,
  ): Promise<Outcome> {
    const { request, analysis, caching, recorder } = compilation;
    // Never rejects: an abort reaches the remote attempt through the signal, and is thrown from there.
    const whole = preprocessing.catch(() => null);
    recorder.streamed();
    const remote = new AbortController();
    const forward = (): void => remote.abort(context.signal.reason);
    context.signal.addEventListener('abort', forward, { once: true });
    try {
      const fingerprint = await compilation.fingerprint();
      const spec = remoteJobSpec(analysis, fingerprint, request, null);
      // Hashed once, whichever asks first: the lookup when cpp ends, or the store after the compile.
      let wholeKey: string | null | undefined;
      const keyOfWhole = (run: CapturedRun): string | null => {
        if (wholeKey === undefined) {
          wholeKey = cacheableKey(spec, run.stdout);
          if (wholeKey !== null) recordDirect(run, wholeKey);
        }
        return wholeKey;
      };
      const upload: Upload = {
        source: () => output.read(),
        bytes: () => output.size,
        key: cachesOff(request) ? { kind: 'off' } : { kind: 'at-end' },
        keyOfWhole,
        holdForLookup: false,
        whole,
      };
      let remoteDone = false;
      const compiling = this.remote.run(compilation, spec, upload, remote.signal);
      const settled = compiling.then(
        () => (remoteDone = true),
        () => (remoteDone = true),
      );
      await Promise.race([settled, whole]);
      const preprocessed = remoteDone || caching === null ? null : await whole;
      const key = preprocessed !== null && caching !== null ? keyOfWhole(preprocessed) : null;
      if (preprocessed !== null && caching !== null && key !== null) {
        const hit = await this.lookUp(compilation, key, spec, preprocessed);
        if (hit !== null && !remoteDone) {
          remote.abort(new SshccError('internal', 'answered from the result cache'));
          await settled;
          return await this.answerFromCache(compilation, preprocessed, hit, key);
        }
      }
      return await compiling;
    } finally {
      context.signal.removeEventListener('abort', forward);
      // The cpp slot and the client's preprocessor run are over before the client gets its answer.
      await whole;
    }
  }

  /** The user's cache for this build, unless the build turned the caches off; null: no cache, no command id. */
  private cachingFor(compiler: string, request: CompileRequest): CompileCaching | null {
    const cache = cachesOff(request) ? null : (this.options.cache ?? null);
    return cache === null ? null : { cache, command: commandId(compiler, request) };
  }

  private async lookUp({ caching, analysis, recorder, request }: Compilation, key: string, spec: JobSpec, preprocessed: CapturedRun): Promise<AgentCacheHit | null> {
    const hit = (await caching?.cache.lookup(key, spec)) ?? null;
    recorder.cacheLookup(hit ? 'hit' : 'miss');
    // A gcc answer with diagnostics was stored only when they were exact (a mirrored compile of checked
    // lines; its key says which source and flags): the same verdict, with this compile's cpp run, decides
    // whether it answers, else it goes on as a miss.
    const exact = hit !== null && inexactFor(request, analysis, spec, { ...hit, mirrored: spec.mirror === true }, preprocessed) === null;
    return hit !== null && hitAnswers(analysis.family, hit, exact) ? hit : null;
  }

  /** The preprocessed source, also fed to `output` as it comes; null (and `output` failed) when cpp fails. */
  private async preprocess({ request, analysis, compiler, recorder }: Compilation, context: CompileContext, output: GrowingOutput): Promise<CapturedRun | null> {
    try {
      if (analysis.preprocessArgv === null) {
        const source = await readInput(analysis.input);
        if (source === null) return null;
        output.push(source);
        output.end(true);
        return { exitCode: 0, signal: null, stdout: source, stderr: Buffer.alloc(0) };
      }
      const { signal } = context;
      const release = await recorder.cppSlot(this.options.scheduler.acquireCpp(signal));
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

  /** A hit in the agent's cache: its outputs written as a remote compile's would be, no network at all. */
  private async answerFromCache({ request, analysis, caching, recorder }: Compilation, preprocessed: CapturedRun, hit: AgentCacheHit, key: string): Promise<Outcome> {
    caching?.cache.recentKeys.set(caching.command, key);
    const answer = await answerCompiled(request, analysis, preprocessed, hit);
    recorder.countLocal('agent-cache', false);
    return { answer, place: { kind: 'cache' } };
  }
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

/** The build's verify setting (SSHCC_VERIFY, else the client's config file), or why it cannot be read. */
function settingOrError(request: CompileRequest, read: ReadClientConfig | undefined): VerifySetting | SshccError {
  try {
    return verifySetting(request.env, request.env.HOME ?? '/', read);
  } catch (err) {
    if (err instanceof SshccError) return err;
    throw err;
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

function withNote(answer: CompileAnswer, note: string): CompileAnswer {
  // An exec answer's stderr is written by the client before it runs the compiler.
  return { ...answer, stderr: Buffer.concat([answer.stderr ?? Buffer.alloc(0), Buffer.from(`${note}\n`)]) };
}

/** The key a whole source's result is cached under; null where the result depends on when it was compiled (__DATE__, __TIME__). */
function cacheableKey(spec: JobSpec, source: Buffer): string | null {
  return dependsOnBuildTime(spec, source) ? null : cacheKey(spec, source);
}

/**
 * A preprocessed input up to this size is read synchronously: the promise API's thread-pool trips (open,
 * fstat, read, close) cost the agent's one thread ~175 µs of CPU for a small file against ~21 µs
 * (measured on this machine, 2,000 files), on every job of a build of .i files. A bigger one is read
 * without holding that thread.
 */
const SYNC_READ_BYTES = 1024 * 1024;

/** The input's bytes; null when it cannot be read (the compile then runs here, and the compiler says why). */
async function readInput(path: string): Promise<Buffer | null> {
  try {
    return statSync(path).size <= SYNC_READ_BYTES ? readFileSync(path) : await readFile(path);
  } catch {
    return null;
  }
}
