// The failover loop of one remote compile: a volunteer, then another, then this machine, until one of
// them gives an answer the build can use.
import {
  afterReleaseVerdict,
  decideReleaseVerify,
  DEPARTURES,
  departureText,
  describeVerifyRate,
  formatError,
  isSshccErrorCode,
  RELEASE_MIN_VERIFY_RATE,
  RELEASE_PROBATION,
  SshccError,
  VerifySampler,
  whenBusyFor,
  type AttemptDeparture,
} from '@sshcc/core';
import type { ClientSession, CompilerFingerprint, JobResult, JobSpec, JobStage } from '@sshcc/protocol';
import type { CapturedRun, CompileAnswer } from '../wire/messages';
import type { JobRecorder } from '../events';
import type { SshPool } from '../pool';
import type { RemoteGrant, Scheduler } from '../queue';
import { departureOfError, departureOfResult, diagnosticsMatter, inexactOf, type AttemptEnd } from './attempt-departure';
import { answerCompiled } from './compiled-answer';
import { sessionCacheKey, type Compilation, type Upload } from './compilation';
import { PreprocessorFailed } from './growing-output';
import { execLocally, failure, MAX_CAPTURED_BYTES, preprocessFailed, type Outcome } from './compile-outcome';
import { spawnCaptured } from './spawn-captured';
import { mappedJobSpec } from './remote-job-spec';
import { verifyAnswer, type Verdict } from './verify-answer';
import type { ToolchainPacks } from './toolchain-packs';
import { LinkLevels } from './link-levels';
import { DuplicateLost, raceRuns, type RaceRun, type RaceWinner } from './straggler-race';

/** A volunteer's answer that is the compile's answer. */
interface AnsweredAttempt {
  readonly host: string;
  readonly result: JobResult;
  /** When the compile slot was granted. */
  readonly started: number;
  /** It failed on another host first. */
  readonly failedOver: boolean;
}

/**
 * Runs analysed compiles on volunteers and falls back to another host or to this machine whenever anything
 * remote fails. A build through sshcc must not fail where a local build would succeed.
 */
export class RemoteCompile {
  /** Counts this configuration's remote answers, to pick the share that sampled verification checks. */
  private readonly sampler = new VerifySampler();
  /** Each host's zstd level, from its link's measured rate and this machine's zstd. */
  private readonly links: LinkLevels;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly pool: SshPool<ClientSession> | null,
    /** The agent's log: where a verification's mismatch is written with both hashes. */
    private readonly log: (line: string) => void = () => undefined,
    /** Pushes a host the compiler it lacks; null: packs are off, such a host just stays unfit for it. */
    private readonly packs: ToolchainPacks | null = null,
  ) {
    this.links = new LinkLevels(log);
  }

  /** Sends the compile to the best free volunteer, and on to another (or here) whenever one fails. */
  async run(compilation: Compilation, spec: JobSpec, upload: Upload, signal: AbortSignal): Promise<Outcome> {
    const { scheduler } = this;
    const { request, compiler, analysis, recorder } = compilation;
    const avoid = scheduler.hosts.unfitFor(spec.fingerprint);
    const failures: string[] = [];
    // A volunteer whose slots were all taken declined the job: it moved on, but nothing failed over.
    let failedOver = false;
    // Hosts that declined it busy are skipped while another place may be free. Once no host is left,
    // they are asked once more, to queue it: busy is not broken, and a queue there beats a compile here.
    const declinedBusy = new Set<string>();
    let queueThere = false;
    for (;;) {
      const grant = await recorder.compileSlot(scheduler.acquireCompile({ avoid }, signal));
      if (grant.kind === 'local' && grant.hostId === null && declinedBusy.size > 0 && !queueThere) {
        grant.release();
        for (const busy of declinedBusy) avoid.delete(busy);
        queueThere = true;
        continue;
      }
      if (grant.kind === 'local') {
        try {
          return await this.compileHere(compilation, grant.hostId === null, failures, failedOver, signal);
        } finally {
          grant.release();
        }
      }
      let host = grant.hostId;
      // The slot this attempt holds: the second run's, when that one answered first.
      let held: RemoteGrant = grant;
      const started = Date.now();
      // The host's speed is measured from when a worker was in hand: a connect before it (a host back
      // from a backoff) says nothing about how fast it compiles, and would keep it last in the queue.
      const timing = { workerAt: started };
      let result: JobResult | null = null;
      let end: AttemptEnd | null;
      try {
        // Told whether to queue there when its slots are all taken by other clients, or to come back at
        // once: only when another place has a free slot now is coming back worth the round trip.
        const whenBusy = queueThere ? 'wait' : whenBusyFor(scheduler.hosts.loads(), host, avoid);
        const won = await this.runOrDuplicate(grant, { ...spec, whenBusy }, upload, signal, recorder, timing, avoid, analysis.output);
        ({ result } = won);
        host = won.grant.hostId;
        held = won.grant;
        timing.workerAt = won.workerAt;
        // What cpp said and whether it checked its lines come with its end, which a streamed job awaits here.
        const inexact = diagnosticsMatter(analysis, result) ? await inexactOf(request, analysis, spec, result, upload.whole) : null;
        end = departureOfResult(analysis, result, inexact);
        recorder.remoteDone(result, end?.departure ?? 'compiled');
      } catch (err) {
        // Cancelled here (cpp failed, or the client went away): nothing is said of the host.
        if (err instanceof PreprocessorFailed || signal.aborted) {
          recorder.remoteFailed('cancelled');
          held.release();
          if (err instanceof PreprocessorFailed) return preprocessFailed(compilation);
          throw err;
        }
        end = { departure: departureOfError(err instanceof SshccError ? err.code : undefined), detail: formatError(err).replace(/^sshcc: /, '') };
        recorder.remoteFailed(end.departure);
      }
      if (result?.kind === 'cancelled' && signal.aborted) {
        held.release();
        throw signal.reason;
      }
      // A compile that ran to its end measured the host's speed, whatever became of its answer.
      // (An answer rerun here for its diagnostics still ran to its end there.)
      const rerunForDiagnostics = end !== null && DEPARTURES[end.departure].job === 'exec-in-client' && !DEPARTURES[end.departure].hostFailure;
      const measured = result !== null && (end === null || rerunForDiagnostics);
      held.release(measured ? { ms: Date.now() - timing.workerAt, bytes: upload.bytes() } : undefined);
      if (result !== null && end === null) return this.finishRemote(compilation, spec, upload, { host, result, started, failedOver }, avoid, signal);
      const { departure, detail, message } = end as AttemptEnd;
      const row = DEPARTURES[departure];
      this.leaveHost(host, departure, avoid, spec.fingerprint, `${host}: ${result?.message ?? detail}`);
      if (row.host === 'unfit-for-compiler') this.packs?.offer(host, compiler, spec.fingerprint);
      if (row.job === 'exec-in-client') {
        // The rerun leaves the targets as gcc does (an earlier object survives a cc1 error), so none is removed here.
        recorder.countLocal(departure, failedOver || row.host !== 'none');
        const text = departureText(departure, host);
        return { answer: execLocally(compiler, request), place: { kind: 'local', why: message === undefined ? text : `${text}: ${message}` } };
      }
      failures.push(`${host}: ${detail}`);
      if (departure === 'volunteer-busy') declinedBusy.add(host);
      else failedOver = true;
    }
  }

  /** What the table says becomes of a host an attempt left: skipped by this job, backed off, unfit for the compiler. */
  private leaveHost(host: string, departure: AttemptDeparture, avoid: Set<string>, compiler: CompilerFingerprint, fault: string): void {
    const action = DEPARTURES[departure].host;
    if (action === 'none') return;
    avoid.add(host);
    if (action === 'unfit-for-compiler') this.scheduler.hosts.markUnfit(host, compiler);
    // The volunteer failed, not the job (its TMPDIR is full, say): no new work for it until its backoff ends.
    if (action === 'back-off') this.pool?.reportHostFault(host, new SshccError(isSshccErrorCode(departure) ? departure : 'remote-failed', fault));
  }

  /**
   * A volunteer's compile is the answer: outputs written, the result stored in the agent's cache. A job
   * sampled for verification waits for its compile here first, so the targets are written once, with
   * the object that has been checked (see ARCHITECTURE.md, "Sampled verification"). An answer from
   * another build of the release is verified as its trust says (core's release-trust), and stored only
   * once verified: no object the agent has not seen proven reaches its cache from there.
   */
  private async finishRemote(compilation: Compilation, spec: JobSpec, upload: Upload, attempt: AnsweredAttempt, avoid: Set<string>, signal: AbortSignal): Promise<Outcome> {
    const { request, analysis, caching, recorder } = compilation;
    const { host, result, started, failedOver } = attempt;
    // Streamed: the volunteer had it all, so cpp has ended well; its diagnostics are part of the answer.
    const preprocessed = await upload.whole;
    if (preprocessed === null) return preprocessFailed(compilation);
    // A failure with exact diagnostics (departureOfResult): gcc here would have printed the same and
    // written nothing, so there is nothing to verify or store (answerCompiled writes nothing for it).
    const failed = result.exitCode !== 0;
    const release = result.releaseMatch;
    let verdict: Verdict['kind'] | null = null;
    if (!failed && (release === null ? this.sampler.next(compilation.verifyRate) : this.releaseVerifies(host, spec.fingerprint, release, compilation.verifyRate))) {
      const verified = await this.verifyHere(compilation, spec, preprocessed, host, result, avoid, signal);
      verdict = verified.verdict;
      if (release !== null) this.noteReleaseVerdict(host, spec, release, verdict, compilation.verifyRate);
      if (verified.kept !== null) return verified.kept;
    }
    const answer = await answerCompiled(request, analysis, preprocessed, result);
    if (!failed && caching !== null && (release === null || verdict === 'match')) {
      const key = upload.keyOfWhole(preprocessed);
      if (key !== null && (await caching.cache.store(key, spec, result))) caching.cache.recentKeys.set(caching.command, key);
    }
    recorder.countRemote(host, failedOver);
    return { answer, place: { kind: 'remote', host, ms: Date.now() - started } };
  }

  /** Whether an answer from `release`, another build of the client's compiler's release, is verified here; counts it. */
  private releaseVerifies(host: string, client: CompilerFingerprint, release: CompilerFingerprint, rate: number): boolean {
    const { hosts } = this.scheduler;
    const decision = decideReleaseVerify(hosts.releaseTrust(host, client, release), rate);
    hosts.setReleaseTrust(host, client, release, decision.trust);
    return decision.verify;
  }

  private noteReleaseVerdict(host: string, spec: JobSpec, release: CompilerFingerprint, verdict: Verdict['kind'], rate: number): void {
    const { hosts } = this.scheduler;
    const before = hosts.releaseTrust(host, spec.fingerprint, release);
    const after = afterReleaseVerdict(before, verdict);
    hosts.setReleaseTrust(host, spec.fingerprint, release, after);
    if (before.matches < RELEASE_PROBATION && after.matches === RELEASE_PROBATION) {
      const share = describeVerifyRate(Math.max(rate, RELEASE_MIN_VERIFY_RATE));
      this.log(`${host}: ${spec.compiler} answered by another build of its release: ${RELEASE_PROBATION} objects in a row matched this machine's; from now on ${share} is verified`);
    }
  }

  /**
   * Sampled verification: the volunteer's job compiled here too. `kept` is null when its answer stands (the
   * same objects, or no verdict); else this machine's answer, and the host is unfit for the compiler from now on.
   */
  private async verifyHere(
    compilation: Compilation,
    spec: JobSpec,
    preprocessed: CapturedRun,
    host: string,
    result: JobResult,
    avoid: Set<string>,
    signal: AbortSignal,
  ): Promise<{ readonly verdict: Verdict['kind']; readonly kept: Outcome | null }> {
    const { request, analysis, recorder } = compilation;
    const verdict = await verifyAnswer(this.scheduler, compilation, spec, preprocessed.stdout, result, signal);
    if (verdict.kind === 'unverified') {
      this.log(`${host}: ${analysis.output}: not verified: ${verdict.why}`);
      return { verdict: verdict.kind, kept: null };
    }
    recorder.verified(host, verdict.kind === 'match');
    if (verdict.kind === 'match') return { verdict: verdict.kind, kept: null };
    const why = departureText('verify-mismatch', host);
    this.log(`${host}: ${analysis.output}: ${why}: ${verdict.detail}; ${host} gets no more jobs for ${spec.compiler} from this agent`);
    this.leaveHost(host, 'verify-mismatch', avoid, spec.fingerprint, `${host}: ${why}`);
    recorder.countLocal('verify-mismatch', true);
    return { verdict: verdict.kind, kept: { answer: await answerCompiled(request, analysis, preprocessed, verdict.local), place: { kind: 'local', why } } };
  }

  /**
   * The attempt on the granted host; once its source is whole, offered to the queue for a second run on a
   * faster host (straggler-race.ts), whose answer is taken if it comes first.
   */
  private async runOrDuplicate(
    grant: RemoteGrant,
    spec: JobSpec,
    upload: Upload,
    signal: AbortSignal,
    recorder: JobRecorder,
    timing: { workerAt: number },
    avoid: ReadonlySet<string>,
    output: string,
  ): Promise<RaceWinner> {
    const run = (granted: RemoteGrant, onStage: (stage: JobStage) => void, at: { workerAt: number }): RaceRun => {
      const stop = new AbortController();
      const answer = this.runRemote(granted.hostId, spec, upload, AbortSignal.any([signal, stop.signal]), onStage, at);
      // Settled by the race; unobserved here, a rejection must not count as unhandled.
      answer.catch(() => undefined);
      return { grant: granted, stop, answer, timing: at };
    };
    const first = run(grant, (stage) => recorder.stage(stage), timing);
    let decided = false;
    let withdraw = (): void => undefined;
    const second = new Promise<RaceRun>((started) => {
      void upload.whole.then((whole) => {
        if (whole === null || decided) return;
        const job = { hostId: grant.hostId, startedAt: timing.workerAt, avoid, kib: upload.bytes() / 1024 };
        withdraw = this.scheduler.offerDuplicate(job, (granted) => {
          this.log(`${output}: started again on ${granted.hostId}, faster than ${grant.hostId}; the first answer is taken`);
          started(run(granted, () => undefined, { workerAt: Date.now() }));
        });
      });
    });
    const won = await raceRuns(first, second, () => {
      decided = true;
      withdraw();
    });
    if (won.loser !== null) this.log(`${output}: answered by ${won.grant.hostId}; the run on ${won.loser} was cancelled`);
    return won;
  }

  private async runRemote(host: string, spec: JobSpec, upload: Upload, signal: AbortSignal, onStage: (stage: JobStage) => void, timing: { workerAt: number }): Promise<JobResult> {
    const pool = this.pool as SshPool<ClientSession>;
    const worker = await pool.acquire(host, signal);
    timing.workerAt = Date.now();
    let broken = true;
    try {
      // Named on every job once built: a host that holds the pack and lacks the compiler runs it with the pack.
      const pack = await this.packs?.packOf(spec.fingerprint);
      const mapped = mappedJobSpec(spec, this.scheduler.hosts.get(host).compilerMap);
      const job = mapped ?? spec;
      const result = await worker.session.runJob(pack === undefined ? job : { ...job, pack }, upload.source(), {
        signal,
        onStage,
        // The key names the client's compiler, not the one the map asks for: the volunteer's cache stays out of it.
        cacheKey: mapped === null ? sessionCacheKey(upload.key) : null,
        holdSourceForLookup: upload.holdForLookup,
        level: this.links.levelFor(host),
      });
      broken = false;
      this.links.noteJob(host, result);
      if (result.capacity !== null) this.scheduler.hosts.noteCapacity(host, result.capacity);
      if (this.links.wantsSample) void upload.whole.then((run) => run && this.links.calibrateOn(run.stdout)).catch(() => undefined);
      return result;
    } catch (err) {
      // The job was cancelled on the volunteer and its answer read: the channel is in step for the next.
      if (err instanceof PreprocessorFailed || err instanceof DuplicateLost) broken = false;
      throw err;
    } finally {
      pool.release(worker, { broken });
    }
  }

  /** Compiles on this machine inside the agent, holding a local compile slot so the machine isn't overloaded. */
  private async compileHere(compilation: Compilation, fallback: boolean, failures: readonly string[], failedOver: boolean, signal: AbortSignal): Promise<Outcome> {
    const { request, compiler, recorder } = compilation;
    const why = fallback ? (failures.length > 0 ? `every volunteer failed (${failures.join('; ')})` : departureText('fallback')) : departureText('localhost');
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
    recorder.countLocal(fallback ? 'fallback' : 'localhost', failedOver);
    const answer: CompileAnswer =
      run.signal !== null
        ? { kind: 'result', exitCode: 128 + run.signal, signal: run.signal, stdout: run.stdout, stderr: run.stderr }
        : { kind: 'result', exitCode: run.exitCode ?? 1, stdout: run.stdout, stderr: run.stderr };
    return { answer, place: { kind: 'local', why } };
  }
}
