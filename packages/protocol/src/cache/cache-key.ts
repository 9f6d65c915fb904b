// The result cache's key: SHA-256 over everything that can change what a volunteer's compile answers
// (the object, its companions, stdout, stderr, exit code), and nothing else. Why each part is or is not
// in it: ./README.md. Both ends compute it: the client to ask, the server to store (it never stores under
// a key it was told, so a client that lies about its key cannot poison the cache for anyone else).

import { createHash, type Hash } from 'node:crypto';
import type { JobRequest } from '../messages';
import { DEBUG_PREFIX_MAPS, MACRO_PREFIX_MAPS, mapPrefixPath } from './prefix-map';

/** Bump when what goes in changes, or when the server changes how it runs a compile: old entries then miss. */
export const CACHE_KEY_VERSION = 'sshcc-result-v2';

/** The request fields the key reads; the id, time limit and declared size never change a result. */
export type CacheKeyJob = Pick<JobRequest, 'compiler' | 'fingerprint' | 'args' | 'lang' | 'input' | 'output' | 'extraOutputs' | 'cwd' | 'env' | 'mirror'>;

/** A level-0 debug option (-g0, -ggdb0): the only -g options that cannot put a directory into the object. */
const DEBUG_OFF = /^-g(?:gdb|lldb|sce|dbx)?0$/;
/** gcc's -frecord-gcc-switches and clang's record-command-line options store the compile's argv (with -o and the job dir's map). */
const RECORDS_COMMAND_LINE = /^-[fg]record-(?:gcc-switches|command-line)$/;

export function recordsCommandLine(args: readonly string[]): boolean {
  return args.some((arg) => RECORDS_COMMAND_LINE.test(arg));
}

/**
 * Whether the client's cwd can reach the result: debug info names the compile dir (DW_AT_comp_dir, the
 * job dir mapped to the cwd) and a recorded command line holds the map itself. Conservative: any -g
 * option that is not a level 0 counts, even where a later -g0 turns debug info off again.
 */
export function cwdReachesResult(args: readonly string[]): boolean {
  return recordsCommandLine(args) || args.some((arg) => arg.startsWith('-g') && !DEBUG_OFF.test(arg));
}

/**
 * Macros that expand to when the compile ran, or (__TIMESTAMP__) to the source's mtime there. The client's
 * -fdirectives-only and -frewrite-includes leave them unexpanded, so a key over the source would hand a
 * later build an earlier build's date: such a source is never looked up or stored, at either end. Where
 * the job's environment sets SOURCE_DATE_EPOCH (in the key), __DATE__ and __TIME__ are that fixed date.
 */
const TIME_MACROS = ['__DATE__', '__TIME__', '__TIMESTAMP__'].map((name) => Buffer.from(name));
const EPOCH_FIXES = new Set(['__DATE__', '__TIME__']);
/** Bytes of one chunk kept to find a macro split across two. */
const TIME_MACRO_OVERLAP = Math.max(...TIME_MACROS.map((name) => name.length)) - 1;

function timeMacrosFor(job: Pick<CacheKeyJob, 'env'>): Buffer[] {
  return job.env.SOURCE_DATE_EPOCH === undefined ? TIME_MACROS : TIME_MACROS.filter((name) => !EPOCH_FIXES.has(name.toString()));
}

function namesAny(macros: readonly Buffer[], source: Uint8Array): boolean {
  const bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  return macros.some((name) => bytes.includes(name));
}

/** Whether `source` names any time macro, SOURCE_DATE_EPOCH or not. */
export function namesTimeMacro(source: Uint8Array): boolean {
  return namesAny(TIME_MACROS, source);
}

/** Whether `job`'s result from `source` depends on when it is compiled: then it is never cached. */
export function dependsOnBuildTime(job: Pick<CacheKeyJob, 'env'>, source: Uint8Array): boolean {
  return namesAny(timeMacrosFor(job), source);
}

/**
 * Hashes a job's fields, then its source as it streams by; `digest()` gives the key (64 hex digits), and
 * `dependsOnBuildTime` whether the source names a time macro (its result must not be cached).
 */
export class CacheKeyHasher {
  private readonly hash: Hash = createHash('sha256');
  private readonly timeMacros: Buffer[];
  private timeMacro = false;
  private tail: Buffer = Buffer.alloc(0);

  constructor(job: CacheKeyJob) {
    const { fingerprint } = job;
    this.timeMacros = timeMacrosFor(job);
    this.text(CACHE_KEY_VERSION);
    this.text(job.compiler);
    this.list([fingerprint.version, fingerprint.target, fingerprint.driver]);
    this.optional(fingerprint.cc1);
    this.optional(fingerprint.cc1plus);
    this.list(job.args);
    this.text(job.lang);
    this.text(job.input);
    this.list(job.extraOutputs);
    this.optional(recordsCommandLine(job.args) ? job.output : null);
    const cwd = cwdReachesResult(job.args);
    this.optional(cwd ? mapPrefixPath(job.cwd, job.args, DEBUG_PREFIX_MAPS) : null);
    this.optional(cwd ? mapPrefixPath(job.cwd, job.args, MACRO_PREFIX_MAPS) : null);
    const env = Object.entries(job.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.list(env.flat());
    // A mirrored compile quotes source lines that one without a mirror cannot.
    this.optional(job.mirror === true ? 'mirror' : null);
    // The source is the last field and runs to the end: every field before it is length-prefixed.
  }

  update(sourceChunk: Uint8Array): this {
    this.hash.update(sourceChunk);
    if (!this.timeMacro) {
      const chunk = Buffer.from(sourceChunk.buffer, sourceChunk.byteOffset, sourceChunk.byteLength);
      const seam = Buffer.concat([this.tail, chunk.subarray(0, TIME_MACRO_OVERLAP)]);
      this.timeMacro = namesAny(this.timeMacros, seam) || namesAny(this.timeMacros, chunk);
      this.tail = chunk.length >= TIME_MACRO_OVERLAP ? Buffer.from(chunk.subarray(chunk.length - TIME_MACRO_OVERLAP)) : seam.subarray(Math.max(0, seam.length - TIME_MACRO_OVERLAP));
    }
    return this;
  }

  get dependsOnBuildTime(): boolean {
    return this.timeMacro;
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  /** u32 byte length, then the UTF-8 bytes: no two different field sequences encode alike. */
  private text(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u32(bytes.length);
    this.hash.update(bytes);
  }

  private list(values: readonly string[]): void {
    this.u32(values.length);
    for (const value of values) this.text(value);
  }

  /** A presence byte first, so an absent value and an empty string differ. */
  private optional(value: string | null): void {
    this.hash.update(Buffer.of(value === null ? 0 : 1));
    if (value !== null) this.text(value);
  }

  private u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.hash.update(b);
  }
}

/** The key of `job` with the whole preprocessed `source` in hand. */
export function cacheKey(job: CacheKeyJob, source: Uint8Array): string {
  return new CacheKeyHasher(job).update(source).digest();
}
