// The control messages: a zod schema per message, so everything read off the wire is checked
// field by field before use. Unknown fields are dropped (a newer peer may add some); missing or
// mistyped ones are a protocol error.

import type { Lang } from '@sshcc/core';
import { z } from 'zod';
import {
  MAX_ARG_CHARS,
  MAX_ARGS,
  MAX_DIAGNOSTIC_BYTES,
  MAX_HELLO_COMPILERS,
  MAX_HELLO_PACKS,
  MAX_JOB_SECONDS,
  MAX_JOB_SOURCE_BYTES,
  MAX_MESSAGE_CHARS,
  MAX_NAME_CHARS,
  MAX_OUTPUT_ARCHIVE_BYTES,
  MAX_OUTPUT_FILES,
  MAX_PATH_CHARS,
} from './limits';

/** Data-frame compressions; every server supports 'none' (the host option `,nozstd`). */
export const COMPRESSIONS = ['zstd', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The `-x` languages a job may name: all of core's. */
export const JOB_LANGS = [
  'c',
  'c++',
  'objective-c',
  'objective-c++',
  'cpp-output',
  'c++-cpp-output',
  'objective-c-cpp-output',
  'objective-c++-cpp-output',
  'assembler',
  'assembler-with-cpp',
] as const satisfies readonly Lang[];
type MissingLang = Exclude<Lang, (typeof JOB_LANGS)[number]>;
/** Fails to compile when core gains a language this list lacks. */
export const JOB_LANGS_COMPLETE: [MissingLang] extends [never] ? true : never = true;

/**
 * How a job ended on the volunteer. Only 'compiled' means the compiler ran to completion (with any
 * exit code); every other kind is sshcc's, and the agent's policy decides what happens next.
 */
export const JOB_OUTCOMES = [
  'compiled', // the compiler ran: its exit code, stdout and stderr are the answer (a compile error is one)
  'compiler-missing', // the server has no allowed compiler by that name
  'compiler-mismatch', // it has one, but its fingerprint differs from the client's
  'refused', // the request failed the server's gate (compiler not allowed, unsafe option, bad name)
  'remote-failed', // the server could not run the job (disk full, spawn failed)
  'timeout', // the compile ran past the time limit and was killed
  'limit', // the source, outputs or diagnostics exceeded a size limit
  'cancelled', // the client sent cancel before the job finished
  'busy', // every one of the volunteer's slots is taken (or it is draining): place the job elsewhere
] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

const jobId = z.int().min(1).max(2 ** 31 - 1);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** A file name as sent; the server's gate decides whether it is plain enough to use. */
const fileName = z.string().min(1).max(MAX_NAME_CHARS);
/**
 * Only the locale travels (diagnostics should read as they would locally) and SOURCE_DATE_EPOCH
 * (with directives-only preprocessing __DATE__ and __TIME__ expand on the volunteer); nothing else.
 */
export const JOB_ENV_NAME = /^(?:LANG|LANGUAGE|LC_[A-Z]+|SOURCE_DATE_EPOCH)$/;
const MAX_JOB_ENV_VARS = 32;
const base64Of = (rawBytes: number) => z.base64().max(Math.ceil(rawBytes / 3) * 4);

export const CompilerFingerprintSchema = z.object({
  /** First line of `<compiler> --version`, less the program name gcc starts it with. */
  version: z.string().max(1000),
  /** `<compiler> -dumpmachine`. */
  target: z.string().max(200),
  /** sha256 of the driver binary (symlinks resolved). */
  driver: sha256,
  /** sha256 of gcc's compiler proper; null where the driver has none (clang). */
  cc1: sha256.nullable(),
  cc1plus: sha256.nullable(),
});
export type CompilerFingerprint = z.infer<typeof CompilerFingerprintSchema>;

/**
 * The volunteer's slots as its coordinator saw them when the hello or result was sent: every client's
 * jobs, not only this one's. `cap` 0 is a volunteer draining (it takes no new jobs).
 */
export const CapacitySchema = z.object({
  /** Slots of the whole account (`slots` in its server.json; default its CPU count). */
  cap: z.int().min(0).max(65536),
  /** Slots in use, by every client. */
  busy: z.int().min(0).max(1 << 20),
  /** Jobs queued for a slot. */
  waiting: z.int().min(0).max(1 << 20),
  /** The first figure of /proc/loadavg. */
  load1: z.number().min(0),
  cpus: z.int().min(1).max(65536),
});
export type Capacity = z.infer<typeof CapacitySchema>;

export const ServerHelloSchema = z.object({
  protocols: z.array(z.int().min(1)).min(1).max(16),
  // `sshcc ping` prints it: a server that names no version is broken, not blank.
  server: z.string().min(1).max(100),
  cpus: z.int().min(1).max(65536),
  /** 1, 5 and 15 minute load averages. */
  load: z.array(z.number().min(0)).max(3),
  /** Allowed compiler names found on the server's PATH. */
  compilers: z.array(z.string().max(MAX_NAME_CHARS)).max(MAX_HELLO_COMPILERS),
  /** Compressions the server accepts; strings, so a newer server's names don't break an older client. */
  compression: z.array(z.string().max(32)).min(1).max(16),
  /**
   * The server keeps a result cache: a job may carry its cache key and hold its source back until the
   * server asks for it (`need`). Absent (an older server) means false.
   */
  cache: z.boolean().optional(),
  /** `process.arch` of the server: a toolchain pack runs only where it matches the client's. Absent: an older server, no packs. */
  arch: z.string().max(16).optional(),
  /** Ids of the toolchain packs the server holds (it takes pushes when the field is present). */
  packs: z.array(sha256).max(MAX_HELLO_PACKS).optional(),
  /**
   * The server's clock (ms since the epoch) as it wrote the hello, for `sshcc doctor`'s clock skew.
   * Absent: an older server.
   */
  time: z.number().nonnegative().optional(),
  /** The volunteer's slots now. Absent: an older server, or one that could not reach its coordinator. */
  capacity: CapacitySchema.optional(),
});
export type ServerHello = z.infer<typeof ServerHelloSchema>;

export const ClientHelloSchema = z.object({
  protocol: z.int().min(1),
  compression: z.enum(COMPRESSIONS),
  client: z.string().max(100),
  /**
   * One agent's id, the same on all its channels: the volunteer shares its slots round-robin between
   * such ids, so one agent's many jobs cannot starve another's. Absent: every such channel is one client.
   */
  agent: z.string().regex(/^[0-9a-f]{8,64}$/).optional(),
});
export type ClientHello = z.infer<typeof ClientHelloSchema>;

export const JobRequestSchema = z.object({
  /** Chosen by the client, increasing per channel; echoed in result and end, named by cancel. */
  id: jobId,
  /** A bare compiler name, resolved on the server's PATH (e.g. `gcc`, `x86_64-linux-gnu-g++-12`). */
  compiler: z.string().min(1).max(MAX_NAME_CHARS),
  /** The client's compiler; a server whose compiler differs answers 'compiler-mismatch'. */
  fingerprint: CompilerFingerprintSchema,
  /** Compile flags without the compiler, input, `-o` and `-x` (core's compileArgv minus argv[0]). */
  args: z.array(z.string().max(MAX_ARG_CHARS)).max(MAX_ARGS),
  /** The `-x` language the server gives the input. */
  lang: z.enum(JOB_LANGS),
  /** Plain names inside the job dir: the source written there, the main output and any extras (.dwo). */
  input: fileName,
  output: fileName,
  extraOutputs: z.array(fileName).max(MAX_OUTPUT_FILES - 1),
  /** The client's cwd: the server maps its job dir to it in debug info and __FILE__. */
  cwd: z.string().min(1).max(MAX_PATH_CHARS),
  env: z
    .record(z.string().regex(JOB_ENV_NAME), z.string().max(1000))
    .refine((env) => Object.keys(env).length <= MAX_JOB_ENV_VARS, { message: `more than ${MAX_JOB_ENV_VARS} variables` }),
  /** The server kills the compile after this long (or after its own, lower, cap). */
  timeLimitSeconds: z.int().min(1).max(MAX_JOB_SECONDS),
  /** Raw source size when known up front (over MAX_JOB_SOURCE_BYTES: answered with kind 'limit'); null when streamed. */
  sourceBytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
  /**
   * The result cache key (cacheKey() of this request and its source), sent only to a server whose hello
   * says `cache`: a hit is answered without the source or a compile. Absent or null: no lookup, no store.
   */
  cacheKey: sha256.nullable().optional(),
  /**
   * false: the client holds the source back until the server sends `need` (a cache miss), or answers
   * without it. Absent means true, as every job sent before the cache: the source follows the request.
   */
  sourceFollows: z.boolean().optional(),
  /**
   * A source sent while it is still being produced, by a client whose cache is on: no key can come
   * before it. The server hashes what arrives and, once it has ended, looks up and stores under that key.
   */
  cacheAtEnd: z.literal(true).optional(),
  /**
   * A toolchain pack of the client's compiler: used when the server has no installed compiler with the
   * job's fingerprint and holds this pack (checked against its manifest) whose fingerprint it is.
   */
  pack: sha256.optional(),
  /**
   * The zstd level for the data frames the server sends back (0: stored, the bytes as they are): the
   * client's choice for its link. Absent (and from a server that predates it, ignored): its default.
   */
  compressLevel: z.int().min(0).max(19).optional(),
  /**
   * 'release': the host list maps this compiler for this host (`,map=`), so besides the client's own
   * build the server may run the named compiler when only its binaries differ (the same version line
   * and target: the same gcc built for another CPU, a distro rebuild). Exact matches are still
   * preferred. Absent: only the client's own build will do.
   */
  match: z.literal('release').optional(),
  /**
   * The source is gcc's directives-only output whose lines the client checked against its files: the
   * server rebuilds those files in the job dir (absolute paths under a root it maps away again) and
   * compiles there, so gcc quotes the client's own lines under its diagnostics. Absent: as before.
   */
  mirror: z.literal(true).optional(),
  /**
   * When every slot of the volunteer is taken: 'decline' (the client has another place for the job now)
   * answers 'busy' at once; 'wait' (and absent) queues it, fairly between clients, for at most
   * MAX_SLOT_WAIT_MS, and answers 'busy' only after that. A draining volunteer declines either way.
   */
  whenBusy: z.enum(['wait', 'decline']).optional(),
});
export type JobRequest = z.infer<typeof JobRequestSchema>;

export const JobTimingsSchema = z.object({
  /** Job request to the end of the source. */
  receiveMs: z.number().min(0),
  /** Compiler start to exit (0 when it never ran). */
  compileMs: z.number().min(0),
  /** Job request to the result. */
  totalMs: z.number().min(0),
  /** Of that, waiting for one of the volunteer's slots. Absent: an older server (no slots), or none waited. */
  slotWaitMs: z.number().min(0).optional(),
});
export type JobTimings = z.infer<typeof JobTimingsSchema>;

export const ResultSchema = z.object({
  id: jobId,
  kind: z.enum(JOB_OUTCOMES),
  /** The compiler's exit code; null when it did not run or was killed by a signal. */
  exitCode: z.int().min(0).max(255).nullable(),
  signal: z.string().max(32).nullable(),
  /** The compiler's own bytes, base64: its encoding is the locale's, not necessarily UTF-8. */
  stdout: base64Of(MAX_DIAGNOSTIC_BYTES),
  stderr: base64Of(MAX_DIAGNOSTIC_BYTES),
  /** Why, for every kind but 'compiled' (one line). */
  message: z.string().max(MAX_MESSAGE_CHARS),
  timings: JobTimingsSchema,
  /** The answer came from the server's result cache: no compiler ran. Absent means false. */
  cached: z.boolean().optional(),
  /**
   * Present when another build of the client's release compiled it (the job asked `match: 'release'`):
   * that compiler's fingerprint, so the client's trust in it starts over should it change. Absent: the
   * client's own build ran (installed or a pack), or an older server, which matches exactly only.
   */
  releaseMatch: CompilerFingerprintSchema.optional(),
  /**
   * The job asked `mirror` and every file of its source was rebuilt for the compile: the diagnostics
   * quote and point as the client's own compile's would. Absent: they may not (an older server, a path
   * that would leave the job dir, a gcc older than 8).
   */
  mirrored: z.literal(true).optional(),
  /** The volunteer's slots as the job left them (see CapacitySchema). Absent: an older server. */
  capacity: CapacitySchema.optional(),
});
export type ResultMessage = z.infer<typeof ResultSchema>;

export const EndSchema = z.object({
  id: jobId,
  /** Raw bytes of the stream just ended: a truncated or padded stream is caught here. */
  bytes: z.int().min(0).max(Math.max(MAX_JOB_SOURCE_BYTES, MAX_OUTPUT_ARCHIVE_BYTES)),
});
export type EndMessage = z.infer<typeof EndSchema>;

/** Server → client: a job that held its source back (`sourceFollows: false`) must send it now. */
export const NeedSchema = z.object({ id: jobId });
export type NeedMessage = z.infer<typeof NeedSchema>;

export const CancelSchema = z.object({ id: jobId });
export type CancelMessage = z.infer<typeof CancelSchema>;

export const ErrorSchema = z.object({ message: z.string().max(MAX_MESSAGE_CHARS) });
export type ErrorMessage = z.infer<typeof ErrorSchema>;
