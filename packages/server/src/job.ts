import { createWriteStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CacheKeyHasher,
  MAX_DIAGNOSTIC_BYTES,
  MAX_OUTPUT_BYTES,
  type IncomingJob,
  type JobHandler,
  type JobReply,
  type JobRequest,
  type OutputFile,
} from '@sshcc/protocol';
import type { CompilerAllowlist } from './allowlist';
import type { PackStore, ResultStore } from '@sshcc/store';
import { chooseCompiler, type CompilerCommand } from './choose-compiler';
import { lookUpResult, storeResult } from './job-cache';
import { jobPermitted } from './job-permitted';
import { noSpaceLeft } from './no-space-left';
import type { MirrorRoot } from './mirror-files';
import { mirrorPrefixMapArgs, prefixMapArgs, supportsMacroPrefixMap } from './prefix-maps';
import { SourceMirror } from './source-mirror';
import { runCompiler } from './run-compiler';
import { JobWorkspace, type WorkspaceJob } from './job-workspace';
import { feedStdin, type StdinFilter } from './feed-stdin';
import type { SlotGate } from './slots/slot-gate';

export interface JobContext {
  readonly allowlist: CompilerAllowlist;
  /** No compile runs longer than this, whatever the request asks. */
  readonly maxJobSeconds: number;
  /** The server's environment: PATH to find compilers, and the few variables that shape them. */
  readonly env: NodeJS.ProcessEnv;
  /** The result cache; null when it is off (the hello then offers none, and no request carries a key). */
  readonly cache?: ResultStore | null;
  /** Pushed toolchain packs; null when this server takes none. */
  readonly packs?: PackStore | null;
  /** The account's slots (and the machine's, where the admin set a cap); null: no cap (a test, the fuzzer). */
  readonly slots?: SlotGate | null;
}

/** The slots' figures go with every reply that has them: the agent keeps each host's last-known capacity. */
function withCapacity(reply: JobReply, slots: SlotGate | null | undefined): JobReply {
  const capacity = reply.capacity ?? slots?.last() ?? null;
  return capacity === null ? reply : { ...reply, capacity };
}

/** Server variables a compiler keeps (they select its parts); everything else stays out. */
const KEPT_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'GCC_EXEC_PREFIX', 'COMPILER_PATH'] as const;
/** A pack's driver finds its parts in the pack alone: the server's own gcc's settings would point elsewhere. */
const PACK_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME'] as const;

/**
 * One channel's jobs on the volunteer: the gate, the compiler lookup and fingerprint check (all
 * answered before any source is read), then source → the channel's private workspace → compiler →
 * outputs. What a job left in the workspace goes when the reply has been sent, or at once if the job
 * ends any other way.
 */
export function createJobHandler(context: JobContext): JobHandler {
  const workspace = new JobWorkspace();
  return async (job) => withCapacity(await handleJob(job, context, workspace), context.slots);
}

async function handleJob(job: IncomingJob, context: JobContext, workspace: JobWorkspace): Promise<JobReply> {
  const { request } = job;
  const permission = jobPermitted(request, context.allowlist);
  if (!permission.ok) return { kind: 'refused', message: permission.reason };
  const chosen = await chooseCompiler(request, { allowlist: context.allowlist, env: compilerEnv(context.env, request, KEPT_ENV), packs: context.packs ?? null });
  if ('kind' in chosen) return chosen;
  const env = compilerEnv(context.env, request, chosen.from === 'pack' ? PACK_ENV : KEPT_ENV);
  // Looked up only once this server could compile the job itself, so a hit says no more than a compile would.
  // Never for a release match: its key names the client's build, and an object of another build stored
  // under it would answer later clients that accept only that build. Nor for a pack: nothing proves a
  // pushed pack is the build its manifest claims, so a client's pack must not answer another client.
  const trusted = chosen.releaseMatch === null && chosen.from !== 'pack';
  const store = context.cache && trusted && (request.cacheKey || request.cacheAtEnd) ? context.cache : null;
  if (store && request.cacheKey) {
    const hit = await lookUpResult(store, request.cacheKey, request);
    if (hit) return hit;
  }
  if (!context.slots) return compileWithDir(job, chosen, env, context, store, workspace);
  // Only a compile costs a slot: a hit or a refusal above was answered without one. A held-back
  // source is asked for once the slot is here, so a declined job never uploads it.
  const slot = await context.slots.acquire(job.client ?? 'anonymous', request.whenBusy ?? 'wait', job.signal);
  if (!slot.granted) {
    if (job.signal.aborted) return { kind: 'cancelled', message: String(job.signal.reason) };
    // A client that names no agent predates 'busy', and would take the answer for a broken protocol:
    // it hears the one refusal it knows that sends the job elsewhere.
    if (job.client === null) return { kind: 'remote-failed', message: slot.why, slotWaitMs: slot.waitMs };
    return { kind: 'busy', message: slot.why, slotWaitMs: slot.waitMs, capacity: slot.capacity };
  }
  // The slot is the compiler's: freed when it has exited, before the outputs go back.
  let reply: JobReply;
  try {
    reply = await compileWithDir(job, chosen, env, context, store, workspace);
  } catch (err) {
    slot.release();
    throw err;
  }
  return { ...reply, slotWaitMs: slot.waitMs, capacity: slot.release() };
}

async function compileWithDir(
  job: IncomingJob,
  chosen: CompilerCommand,
  env: NodeJS.ProcessEnv,
  context: JobContext,
  store: ResultStore | null,
  workspace: JobWorkspace,
): Promise<JobReply> {
  job.needSource();
  const dir = await workspace.begin();
  try {
    return await compileIn(dir, job, chosen, { ...env, TMPDIR: dir.work, PWD: dir.work }, context, store);
  } catch (err) {
    await dir.end();
    if (job.signal.aborted) return { kind: 'cancelled', message: String(job.signal.reason) };
    // Writing the source into a full TMPDIR: the volunteer's problem, said as a full disk is said after a compile.
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return { kind: 'remote-failed', message: "no space left in this server's TMPDIR" };
    return { kind: 'remote-failed', message: (err as Error).message };
  }
}

async function compileIn(
  dir: WorkspaceJob,
  job: IncomingJob,
  compiler: CompilerCommand,
  env: NodeJS.ProcessEnv,
  context: JobContext,
  store: ResultStore | null,
): Promise<JobReply> {
  const { request } = job;
  const { version } = compiler;
  let release = () => dir.end();
  // The key is computed here from what came, never taken from the client: a wrong key stores nothing false.
  const hasher = store ? new CacheKeyHasher(request) : null;
  let sourceKey: string | null = null;
  const keyOfSource = (): string => (sourceKey ??= (hasher as CacheKeyHasher).digest());
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hasher?.update(chunk);
      done(null, chunk);
    },
  });
  // A streamed job's lookup waits for the whole source; a hit then stops the compile that began meanwhile.
  const answeredFromCache = new AbortController();
  const atEnd: { hit: JobReply | null } = { hit: null };
  const lookUpAtEnd = async (whole: boolean): Promise<void> => {
    if (!whole || store === null || request.cacheAtEnd !== true || hasher?.dependsOnBuildTime === true) return;
    atEnd.hit = await lookUpResult(store, keyOfSource(), request);
    if (atEnd.hit !== null) answeredFromCache.abort(new Error('answered from the result cache'));
  };
  const fromStdin = stdinInput(request, version);
  const streamed = fromStdin !== null;
  const mirror = streamed ? mirrorFor(request, version, dir) : null;
  if (!streamed) {
    // 'wx': the name is fresh in an emptied dir; never follow anything already there.
    await pipeline(job.source, hashing, createWriteStream(join(dir.work, request.input), { flags: 'wx', mode: 0o600 }));
    await lookUpAtEnd(true);
    if (atEnd.hit !== null) return { ...atEnd.hit, release };
  }
  let fed: Promise<boolean> = Promise.resolve(true);
  let lookedUp: Promise<void> = Promise.resolve();
  const limitSeconds = Math.min(request.timeLimitSeconds, context.maxJobSeconds);
  const run = await runCompiler({
    path: compiler.path,
    args: [
      ...compiler.prefixArgs,
      ...request.args,
      ...pipeArgs(request, version),
      ...(mirror ? mirrorPrefixMapArgs(mirror.at.root, request.args) : prefixMapArgs(dir.work, request.cwd, request.args, version)),
      '-x',
      request.lang,
      ...(fromStdin ?? [request.input]),
      '-o',
      request.output,
    ],
    cwd: mirror?.at.cwd ?? dir.work,
    env: mirror ? { ...env, PWD: mirror.at.cwd } : env,
    timeLimitMs: limitSeconds * 1000,
    maxDiagnosticBytes: MAX_DIAGNOSTIC_BYTES,
    signal: AbortSignal.any([job.signal, answeredFromCache.signal]),
    ...(streamed
      ? {
          feedStdin: (stdin) => {
            fed = feedStdin(job.source, stdin, (chunk) => hasher?.update(chunk), mirror?.filter);
            lookedUp = fed.then(lookUpAtEnd);
          },
        }
      : {}),
  });
  if (run.stopped === 'aborted' && !job.signal.aborted) {
    await lookedUp;
    if (atEnd.hit !== null) return { ...atEnd.hit, release };
  }
  // A result is stored only under the key of a source that arrived whole. A compile that succeeded read
  // its stdin to the end, so only then is the feed awaited: a compiler that failed early is answered at
  // once, while the client may still be producing the rest (its cpp), which the feed reads and drops.
  const wholeSource = run.exitCode === 0 && run.signal === null ? await fed : false;
  const compileMs = run.compileMs;
  if (run.stopped === 'aborted') return { kind: 'cancelled', message: String(job.signal.reason), release };
  if (run.stopped === 'timeout') return { kind: 'timeout', message: `the compile ran past ${limitSeconds} s`, compileMs, release };
  if (run.stopped === 'diagnostics') {
    return { kind: 'limit', message: `compiler output exceeds ${MAX_DIAGNOSTIC_BYTES} bytes`, compileMs, release };
  }
  if (run.exitCode !== 0) {
    const full = await noSpaceLeft(dir.work, run.stderr);
    if (full !== null) return { kind: 'remote-failed', message: full, compileMs, release };
  }
  const outputs = await existingOutputs(mirror?.at.cwd ?? dir.work, [request.output, ...request.extraOutputs]);
  // What the compiler printed names the client's paths, as a compile there would.
  const stdout = mirror ? mirror.unmap(run.stdout) : run.stdout;
  const stderr = mirror ? mirror.unmap(run.stderr) : run.stderr;
  const mirrored = mirror?.complete() === true;
  const total = outputs.reduce((sum, file) => sum + file.size, 0);
  if (total > MAX_OUTPUT_BYTES) return { kind: 'limit', message: `outputs exceed ${MAX_OUTPUT_BYTES} bytes`, compileMs, release };
  // wholeSource holds only for a compile that succeeded (above).
  // A mirror that lacks a file gave diagnostics that quote less than they should: not stored under a key that promises a mirror.
  if (store && wholeSource && (mirror === null || mirrored) && hasher?.dependsOnBuildTime !== true) {
    // Stored once the outputs have gone to the client, before the job dir goes (the reply's `end`
    // waits for it, so the client's next job can already hit).
    await lookedUp;
    const key = keyOfSource();
    const remove = release;
    release = async () => {
      await storeResult(store, key, request, { exitCode: 0, stdout, stderr }, outputs);
      await remove();
    };
  }
  return {
    kind: 'compiled',
    exitCode: run.exitCode,
    signal: run.signal,
    stdout,
    stderr,
    compileMs,
    outputs,
    ...(mirrored ? { mirrored } : {}),
    ...(compiler.releaseMatch === null ? {} : { releaseMatch: compiler.releaseMatch }),
    release,
  };
}

/** A streamed job's mirror: where its files go, the filter that collects them, and the way back to the client's paths. */
interface JobMirror {
  readonly at: MirrorRoot;
  readonly filter: StdinFilter;
  /** Every file was written before the compiler saw the end of its input. */
  readonly complete: () => boolean;
  readonly unmap: (printed: Buffer) => Buffer;
}

/**
 * The mirror a job asked for, when the compiler can map its root away again: gcc before 8 has no
 * -fmacro-prefix-map, and __FILE__ would name the job dir. The compiler's cwd is made here, before it runs.
 */
function mirrorFor(request: JobRequest, version: string, dir: WorkspaceJob): JobMirror | null {
  if (request.mirror !== true || /clang/i.test(version) || !supportsMacroPrefixMap(version)) return null;
  const at = dir.mirror.at(request.cwd);
  dir.ranIn(at.cwd);
  const source = new SourceMirror(at.root);
  let complete = false;
  const filter: StdinFilter = {
    pass: (chunk) => source.rewrite(chunk),
    finish: () => {
      const tail = source.end();
      try {
        complete = dir.mirror.write(at, source.files());
      } catch {
        // A full TMPDIR: the compile runs anyway (it may not need a quote); its answer just promises none.
        complete = false;
      }
      return tail;
    },
  };
  // The root's own path, as bytes: everything the compiler prints under it is a client path.
  const prefix = `${at.root}/`;
  const unmap = (printed: Buffer): Buffer => {
    const text = printed.toString('latin1');
    return text.includes(prefix) ? Buffer.from(text.split(prefix).join('/'), 'latin1') : printed;
  };
  return { at, filter, complete: () => complete, unmap };
}

/**
 * The compiler's input when the source goes into its stdin as it arrives, so the compile starts before
 * the upload ends; null where it must be a file written whole first. gcc compiles preprocessed input
 * from stdin into the same object as from a file (the line markers name the source, also in the debug
 * info). clang names a stdin buffer "-" in the object (the file symbol, DW_AT_name) unless its cc1 is
 * given the main file's name, which the driver passes on from a file input and `-Xclang` overrides
 * (cc1 takes the last): then the object is the file's, byte for byte, with and without -g. A job with
 * companion outputs keeps the file: gcc's -gsplit-dwarf DWO id and --coverage's .gcno stamp differ when
 * the input is stdin (measured on gcc 12).
 */
function stdinInput(request: JobRequest, version: string): string[] | null {
  if (request.extraOutputs.length > 0) return null;
  if (/clang/i.test(version)) return ['-Xclang', '-main-file-name', '-Xclang', request.input, '-'];
  return request.lang.endsWith('cpp-output') ? ['-'] : null;
}

/**
 * gcc's cc1 hands its assembly to as through a pipe rather than a temp file in TMPDIR: a new inode per
 * job less (job-workspace.ts says what those cost), and the .s is neither written nor read back. The
 * object is the same (a driver option; cc1 and -g's producer string never see it). clang assembles in
 * process, and -save-temps, which -pipe would warn about, is refused by the gate.
 */
function pipeArgs(request: JobRequest, version: string): string[] {
  return /clang/i.test(version) || request.args.includes('-pipe') ? [] : ['-pipe'];
}

/** The requested outputs the compiler wrote, as regular files (a failed compile writes none). */
async function existingOutputs(dir: string, names: readonly string[]): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const stat = await lstat(path).catch(() => null);
    if (stat?.isFile()) files.push({ name, path, size: stat.size });
  }
  return files;
}

/** The compiler sees the server's own setup plus the client's locale, nothing else from either side. */
function compilerEnv(serverEnv: NodeJS.ProcessEnv, request: JobRequest, kept: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of kept) if (serverEnv[name] !== undefined) env[name] = serverEnv[name];
  return { ...env, ...request.env };
}
