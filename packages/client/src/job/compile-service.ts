import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { appendFileSync, readFileSync } from 'node:fs';
import { analyzeArgs, formatError, SshccError, type RemoteAnalysis } from '@sshcc/core';
import { cacheKey, type ClientSession, type CompilerFingerprint, type JobResult, type JobSpec } from '@sshcc/protocol';
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
    const { scheduler } = this.options;
    const { signal } = context;
    const preprocessed = await this.preprocess(request, analysis, compiler, context, job);
    if (preprocessed === null) {
      // The compiler's own diagnostics, exactly as it prints them, come from running it for real.
      job.countLocal('preprocess-failed', false);
      return { answer: execLocally(compiler, request), place: { kind: 'local', why: 'preprocessing failed' } };
    }
    const fingerprint = await fingerprintCompiler(compiler, { env: request.env });
    const spec = remoteJobSpec(analysis, fingerprint, request, preprocessed.stdout.length);
    // SSHCC_CACHE=0 in the build turns off both caches: no lookup here, and a null key tells the volunteer none either.
    const cache = request.env.SSHCC_CACHE === '0' ? null : (this.options.cache ?? null);
    const key = request.env.SSHCC_CACHE === '0' ? null : cacheKey(spec, preprocessed.stdout);
    if (cache !== null && key !== null) {
      const hit = await cache.lookup(key, spec);
      job.cacheLookup(hit ? 'hit' : 'miss');
      // A gcc answer with diagnostics is no answer here (see quotesWrongSource): it goes on as a miss.
      if (hit !== null && !(analysis.family === 'gcc' && hit.stderr.length > 0)) return this.answerFromCache(request, analysis, preprocessed, hit, job);
    }
    const unfit = this.unfitFor(fingerprint);
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
        result = await this.runRemote(host, spec, preprocessed.stdout, key, signal, job, timing);
      } catch (err) {
        job.remoteFailed(err);
        grant.release();
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
        grant.release({ ms: Date.now() - timing.workerAt, bytes: preprocessed.stdout.length });
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
        grant.release({ ms: Date.now() - timing.workerAt, bytes: preprocessed.stdout.length });
        await this.finishRemote(request, analysis, result);
        if (cache !== null && key !== null) await cache.store(key, spec, result);
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

  private async preprocess(request: CompileRequest, analysis: RemoteAnalysis, compiler: string, context: CompileContext, job: JobRecorder): Promise<CapturedRun | null> {
    if (analysis.preprocessArgv === null) {
      const source = await readFile(analysis.input).catch(() => null);
      return source === null ? null : { exitCode: 0, signal: null, stdout: source, stderr: Buffer.alloc(0) };
    }
    const { signal } = context;
    const release = await job.cppSlot(this.options.scheduler.acquireCpp(signal));
    try {
      const argv = [compiler, ...analysis.preprocessArgv.slice(1)];
      const run = context.preprocess
        ? await context.preprocess(argv, { maxOutputBytes: MAX_CAPTURED_BYTES, signal })
        : await spawnCaptured(argv, { cwd: request.cwd, env: request.env, umask: request.umask, signal, maxOutputBytes: MAX_CAPTURED_BYTES });
      return run.exitCode === 0 ? run : null;
    } finally {
      release();
    }
  }

  private async runRemote(
    host: string,
    spec: JobSpec,
    source: Buffer,
    key: string | null,
    signal: AbortSignal,
    job: JobRecorder,
    timing: { workerAt: number },
  ): Promise<JobResult> {
    const pool = this.options.pool as SshPool<ClientSession>;
    const worker = await pool.acquire(host, signal);
    timing.workerAt = Date.now();
    let broken = true;
    try {
      const result = await worker.session.runJob(spec, source, { signal, onStage: (stage) => job.stage(stage), cacheKey: key });
      job.remoteDone(result);
      broken = false;
      return result;
    } finally {
      pool.release(worker, { broken });
    }
  }

  /** A hit in the agent's cache: its outputs written as a remote compile's would be, no network at all. */
  private async answerFromCache(request: CompileRequest, analysis: RemoteAnalysis, preprocessed: CapturedRun, hit: AgentCacheHit, job: JobRecorder): Promise<Outcome> {
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
