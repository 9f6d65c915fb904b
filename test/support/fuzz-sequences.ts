// What the fuzzer feeds sshcc-server: byte sequences a client might send, built from a valid session and
// then broken in every way the issue names (random bytes, valid frames with wrong fields, huge lengths,
// truncated streams, out-of-order frames) plus argv injection through jobs that are valid otherwise.
// Every sequence is a pure function of its FuzzRandom, so a failure is replayed from (seed, index).

import { FRAME_TYPES, JOB_LANGS, MAX_FRAME_BYTES, type CompilerFingerprint, type DataCodec, type FrameType } from '@sshcc/protocol';
import type { FuzzRandom } from './fuzz-random';

/** A write to the server, or a pause until it has sent `ends` end frames in all (or closed its output). */
export type FuzzStep = Buffer | { readonly waitForEnds: number };

export interface FuzzSequence {
  readonly kind: string;
  readonly steps: readonly FuzzStep[];
  /** A control sequence: every job in it must come back 'compiled' with exit code 0. */
  readonly mustCompile?: boolean;
}

export interface FuzzContext {
  /** The fingerprint of `gcc` as the server under test sees it: jobs with it pass to the compiler. */
  readonly fingerprint: CompilerFingerprint;
  readonly codecs: { readonly zstd: DataCodec; readonly none: DataCodec };
  /** An absolute dir that must stay empty: every absolute path the fuzzer puts in args lies inside it. */
  readonly canary: string;
}

interface RawFrame {
  code: number;
  payload: Buffer;
}

const CODE: Record<FrameType, number> = Object.fromEntries(
  (Object.keys(FRAME_TYPES) as FrameType[]).map((type) => [type, FRAME_TYPES[type].code]),
) as Record<FrameType, number>;

function serialize(frames: readonly RawFrame[]): Buffer {
  return Buffer.concat(frames.map(({ code, payload }) => Buffer.concat([header(payload.length, code), payload])));
}

function header(length: number, code: number): Buffer {
  const out = Buffer.alloc(5);
  out.writeUInt32BE(length >>> 0, 0);
  out[4] = code & 0xff;
  return out;
}

const control = (type: FrameType, value: unknown): RawFrame => ({ code: CODE[type], payload: Buffer.from(JSON.stringify(value)) });

// ---------------------------------------------------------------------------------------------------------
// A valid session, as the agent would send it.

interface SessionPart {
  frames: RawFrame[];
  /** After these frames the client waits for the job's answer. */
  waitAfter: boolean;
}

interface Session {
  compression: 'zstd' | 'none';
  hello: RawFrame;
  jobs: SessionPart[];
}

function cSource(r: FuzzRandom, id: number): Buffer {
  const lines = [`int f${id}(int x) { return x * ${r.int(1000)} + ${r.int(7)}; }`];
  for (let i = r.int(4); i > 0; i--) lines.push(`static int g${i}(int y) { return y ^ ${r.int(1 << 20)}; } int h${i}(void) { return g${i}(${i}); }`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

export function validJobRequest(ctx: FuzzContext, r: FuzzRandom, id: number, source: Buffer): Record<string, unknown> {
  return {
    id,
    compiler: 'gcc',
    fingerprint: { ...ctx.fingerprint },
    args: r.pick([['-c', '-O1'], ['-c'], ['-c', '-O2', '-g'], ['-S', '-O0']]),
    lang: 'c',
    input: 'unit.c',
    output: 'unit.o',
    extraOutputs: [],
    cwd: '/home/fuzz/project',
    env: r.chance(0.5) ? { LANG: 'C' } : {},
    timeLimitSeconds: 60,
    sourceBytes: r.chance(0.5) ? source.length : null,
  };
}

function dataFrames(codec: DataCodec, r: FuzzRandom, source: Buffer): RawFrame[] {
  const frames: RawFrame[] = [];
  let at = 0;
  while (at < source.length) {
    const take = r.chance(0.5) ? source.length - at : r.range(1, source.length - at);
    frames.push({ code: CODE.data, payload: codec.encode(source.subarray(at, at + take)) });
    at += take;
  }
  return frames;
}

/** One job's frames; `change` edits the valid request made for its source (sourceBytes stays true to it). */
function jobPart(
  ctx: FuzzContext,
  r: FuzzRandom,
  codec: DataCodec,
  id: number,
  change: (request: Record<string, unknown>) => Record<string, unknown> = (request) => request,
): SessionPart {
  const source = cSource(r, id);
  const job = change(validJobRequest(ctx, r, id, source));
  return {
    frames: [control('job', job), ...dataFrames(codec, r, source), control('end', { id, bytes: source.length })],
    waitAfter: true,
  };
}

function validSession(ctx: FuzzContext, r: FuzzRandom, jobs = r.range(1, 2)): Session {
  const compression = r.pick(['zstd', 'none'] as const);
  const codec = ctx.codecs[compression];
  const session: Session = { compression, hello: control('hello', { protocol: 1, compression, client: 'sshcc-fuzz' }), jobs: [] };
  for (let id = 1; id <= jobs; id++) session.jobs.push(jobPart(ctx, r, codec, id));
  return session;
}

/** The session as steps: frames written (cut at random points), with a wait for each job's answer. */
function sessionSteps(session: Session, r: FuzzRandom, waits = true): FuzzStep[] {
  const steps: FuzzStep[] = [];
  let ends = 0;
  const pending: RawFrame[] = [session.hello];
  for (const part of session.jobs) {
    pending.push(...part.frames);
    if (waits && part.waitAfter) {
      steps.push(...cut(serialize(pending.splice(0)), r));
      steps.push({ waitForEnds: ++ends });
    }
  }
  steps.push(...cut(serialize(pending), r));
  return steps;
}

/** Splits a write at random points, so frames also arrive in pieces. */
function cut(bytes: Buffer, r: FuzzRandom): Buffer[] {
  if (bytes.length < 2 || r.chance(0.6)) return [bytes];
  const points = Array.from({ length: r.range(1, 4) }, () => r.range(1, bytes.length - 1)).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(at, point));
    at = point;
  }
  pieces.push(bytes.subarray(at));
  return pieces.filter((piece) => piece.length > 0);
}

/** A fingerprint the server does not have: the job is answered 'compiler-mismatch' before any compile. */
function otherFingerprint(ctx: FuzzContext): CompilerFingerprint {
  return { ...ctx.fingerprint, driver: 'f'.repeat(64) };
}

/**
 * Most mutated sessions should not compile (a compile costs ~30 ms, a refusal ~0.5 ms, and compiles
 * already come from the argv, valid and mid-compile generators); sessions still schema-valid after the
 * mutation get the wrong fingerprint unless the draw says otherwise.
 */
function mostlyMismatched(ctx: FuzzContext, r: FuzzRandom, session: Session): void {
  if (r.chance(0.02)) return;
  const codec = ctx.codecs[session.compression];
  session.jobs = session.jobs.map((_part, i) => jobPart(ctx, r, codec, i + 1, (request) => ({ ...request, fingerprint: otherFingerprint(ctx) })));
}

// ---------------------------------------------------------------------------------------------------------
// Values and options the mutations draw from.

function weirdValues(ctx: FuzzContext, r: FuzzRandom): unknown[] {
  return [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 31,
    2 ** 53 + 2,
    1e308,
    -1e308,
    '',
    ' ',
    'x'.repeat(r.range(256, 5000)),
    '../unit.o',
    '..',
    '.',
    '/etc/passwd',
    `${ctx.canary}/value`,
    'a/b',
    '-fplugin=x.so',
    'unit.c\u0000.o',
    '\u202e\ud83d\udca5',
    '\ud800',
    [],
    [null],
    ['-c'],
    {},
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    'unit.o',
    'gcc',
  ];
}

/** Options and values an attacker would try, every path inside the canary dir or relative to the job dir. */
export function dangerousArgs(canary: string): string[] {
  const c = canary;
  return [
    `-o${c}/joined.o`,
    '-o../escaped.o',
    `-specs=${c}/specs`,
    `-fplugin=${c}/plugin.so`,
    '-fplugin=plugin.so',
    `@${c}/args`,
    '@unit.c',
    `-B${c}/`,
    `--sysroot=${c}`,
    `-Wl,-o,${c}/linked`,
    `-fdump-tree-all=${c}/dump`,
    '-fdump-tree-original=../dumped',
    '-fdump-rtl-expand',
    '-save-temps',
    '-save-temps=obj',
    `-fcompare-debug=-fdump-tree-original=${c}/compare`,
    `-time=${c}/time`,
    `-fprofile-note=${c}/note.gcno`,
    `-fopt-info-all=${c}/opt`,
    `-Wa,-aln=${c}/listing`,
    `-Wa,--MD,${c}/asdeps`,
    `-I${c}`,
    '-',
    `-print-file-name=${c}/x`,
    `-fuse-ld=${c}/ld`,
    `-Wp,-MD,${c}/wp.d`,
    `-fprofile-use=${c}/p.gcda`,
    `-fmodule-mapper=|touch ${c}/mapper`,
    '-fmodules-ts',
    `-iplugindir=${c}`,
    `-fcrash-diagnostics-dir=${c}`,
    `-ftime-trace=${c}/trace.json`,
    `-fproc-stat-report=${c}/stat`,
    '--help',
    '--outp=../long.o',
    '-MD',
    '-E',
    `${c}/extra-input.c`,
    '../extra-input.c',
  ];
}

/** Options whose value is the next argument: [option, value] pairs the gate must read as one. */
export function dangerousPairs(canary: string): Array<[string, string]> {
  const c = canary;
  return [
    ['-o', `${c}/out.o`],
    ['-B', c],
    ['-wrapper', `/bin/sh,-c,touch ${c}/wrapped`],
    ['-dumpdir', `${c}/`],
    ['-dumpbase', '../dumpbase'],
    ['-aux-info', `${c}/aux`],
    ['-MF', `${c}/deps.d`],
    ['-Xassembler', `-adhln=${c}/xa`],
    ['-Xlinker', `-o${c}/xl`],
    ['-Xpreprocessor', `-MD`],
    ['-include', `${c}/inc.h`],
    ['-isystem', c],
    ['-x', 'c'],
    ['-mllvm', `-stats-file=${c}/stats`],
    ['-Xclang', '-load'],
    ['-target', `../../${c}`],
    ['-serialize-diagnostics', `${c}/diag`],
    ['-gen-cdb-fragment-path', `${c}/cdb`],
    ['-D', '-c'],
    ['--param', `${c}/x`],
  ];
}

/** Ordinary options a build uses, some of which write side files into the job dir (which must still go). */
const SAFE_ARGS = [
  '-O2',
  '-g',
  '-gsplit-dwarf',
  '-Wall',
  '-DY',
  '-fstack-usage',
  '-fcallgraph-info',
  '-frecord-gcc-switches',
  '-fsave-optimization-record',
  '-ftest-coverage',
  '-fprofile-arcs',
  '-fcompare-debug',
  '-time',
  '-freport-bug',
  '-pipe',
  '-v',
  '-fsyntax-only',
  '-S',
  '--param=l1-cache-size=32',
  '-Wa,--noexecstack',
  '-Wp,-DX',
];

// ---------------------------------------------------------------------------------------------------------
// The generators, one per way of breaking the input.

type Generator = (ctx: FuzzContext, r: FuzzRandom) => FuzzSequence;

const helloFrame = (r: FuzzRandom): RawFrame => control('hello', { protocol: 1, compression: r.pick(['zstd', 'none']), client: 'fuzz' });

const randomBytes: Generator = (_ctx, r) => ({ kind: 'random-bytes', steps: cut(r.bytes(r.range(0, 3000)), r) });

const helloThenRandomBytes: Generator = (_ctx, r) => ({
  kind: 'hello+random-bytes',
  steps: cut(Buffer.concat([serialize([helloFrame(r)]), r.bytes(r.range(1, 3000))]), r),
});

const badHello: Generator = (ctx, r) => {
  const hello: Record<string, unknown> = { protocol: 1, compression: 'zstd', client: 'fuzz' };
  mutateObject(hello, ctx, r);
  const frames = [control('hello', hello)];
  if (r.chance(0.5)) frames.push(helloFrame(r));
  if (r.chance(0.3)) frames.unshift(control(r.pick(['job', 'end', 'cancel', 'data', 'error'] as FrameType[]), { id: 1 }));
  return { kind: 'bad-hello', steps: cut(serialize(frames), r) };
};

const hugeLength: Generator = (_ctx, r) => {
  const code = r.chance(0.8) ? r.pick(Object.values(CODE)) : r.int(256);
  const limit = Object.values(FRAME_TYPES).find((row) => row.code === code)?.maxBytes ?? MAX_FRAME_BYTES;
  const length = r.pick([limit + 1, MAX_FRAME_BYTES + 1, 0x7fffffff, 0xffffffff, 0x80000000, r.range(limit + 1, 0xffffffff)]);
  const before = r.chance(0.8) ? serialize([helloFrame(r)]) : Buffer.alloc(0);
  return { kind: 'huge-length', steps: cut(Buffer.concat([before, header(length, code), r.bytes(r.range(0, 64))]), r) };
};

/** A session whose job request has one field (or the JSON text itself) broken. */
const wrongJobFields: Generator = (ctx, r) => {
  const session = validSession(ctx, r, 1);
  mostlyMismatched(ctx, r, session);
  const part = session.jobs[0] as SessionPart;
  const job = JSON.parse((part.frames[0] as RawFrame).payload.toString()) as Record<string, unknown>;
  if (r.chance(0.15)) {
    (part.frames[0] as RawFrame).payload = mutateJsonText((part.frames[0] as RawFrame).payload, r);
  } else {
    for (let n = r.range(1, 3); n > 0; n--) mutateObject(job, ctx, r);
    (part.frames[0] as RawFrame).payload = Buffer.from(JSON.stringify(job));
  }
  return { kind: 'wrong-job-fields', steps: sessionSteps(session, r) };
};

/** A session with end, cancel or data frames whose ids, counts or bodies are wrong. */
const wrongStreamFields: Generator = (ctx, r) => {
  const session = validSession(ctx, r);
  mostlyMismatched(ctx, r, session);
  const part = r.pick(session.jobs);
  const frames = part.frames;
  const end = frames[frames.length - 1] as RawFrame;
  const endMessage = JSON.parse(end.payload.toString()) as Record<string, unknown>;
  switch (r.int(6)) {
    case 0:
      endMessage.bytes = (endMessage.bytes as number) + r.pick([-1, 1, 1000, -1000]);
      break;
    case 1:
      endMessage.id = r.pick([0, 2, 99, -1, 2 ** 31]);
      break;
    default:
      mutateObject(endMessage, ctx, r);
  }
  end.payload = Buffer.from(JSON.stringify(endMessage));
  if (r.chance(0.3)) frames.splice(r.range(1, frames.length - 1), 0, control('cancel', { id: r.pick([1, 2, 3, 0, 2 ** 31 - 1]) }));
  if (r.chance(0.2)) part.waitAfter = false;
  return { kind: 'wrong-stream-fields', steps: sessionSteps(session, r) };
};

/** Data frames a hostile client crafts: zstd bombs, corrupt or empty chunks, oversized plain chunks. */
const badData: Generator = (ctx, r) => {
  const session = validSession(ctx, r, 1);
  mostlyMismatched(ctx, r, session);
  const part = session.jobs[0] as SessionPart;
  const bad: Buffer = (() => {
    switch (r.int(7)) {
      case 0: {
        // A zstd frame header that declares a huge content size (2^40 bytes): refused before inflating.
        const size = Buffer.alloc(8);
        size.writeBigUInt64LE(BigInt(r.pick([2 ** 40, 2 ** 62, 256 * 1024 + 1, 2 ** 32])));
        return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]), size, r.bytes(r.range(0, 40))]);
      }
      case 1:
        // Declares no content size (descriptor 0x00, no single segment).
        return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]), r.bytes(r.range(0, 40))]);
      case 2: {
        const good = ctx.codecs.zstd.encode(r.bytes(r.range(10, 2000)));
        const broken = Buffer.from(good);
        for (let n = r.range(1, 4); n > 0; n--) broken[r.range(5, broken.length - 1)] ^= 1 << r.int(8);
        return broken;
      }
      case 3:
        return Buffer.alloc(0);
      case 4:
        return r.bytes(r.range(256 * 1024 + 1, 256 * 1024 + 3000));
      case 5:
        return ctx.codecs.zstd.encode(Buffer.alloc(256 * 1024 + r.range(1, 100)));
      default:
        return r.bytes(r.range(1, 500));
    }
  })();
  part.frames.splice(r.range(1, part.frames.length - 1), r.chance(0.5) ? 1 : 0, { code: CODE.data, payload: bad });
  part.waitAfter = false;
  return { kind: 'bad-data', steps: sessionSteps(session, r) };
};

/** A valid session's frames reordered, repeated, dropped or retyped. */
const outOfOrder: Generator = (ctx, r) => {
  const session = validSession(ctx, r);
  mostlyMismatched(ctx, r, session);
  const frames = [session.hello, ...session.jobs.flatMap((part) => part.frames)];
  for (let n = r.range(1, 3); n > 0; n--) {
    const i = r.int(frames.length);
    const j = r.int(frames.length);
    switch (r.int(6)) {
      case 0:
        [frames[i], frames[j]] = [frames[j] as RawFrame, frames[i] as RawFrame];
        break;
      case 1:
        frames.splice(j, 0, { ...(frames[i] as RawFrame) });
        break;
      case 2:
        if (frames.length > 1) frames.splice(i, 1);
        break;
      case 3:
        (frames[i] as RawFrame).code = r.chance(0.7) ? r.pick(Object.values(CODE)) : r.int(256);
        break;
      case 4:
        frames.splice(j, 0, control(r.pick(Object.keys(CODE) as FrameType[]), r.pick([{ id: 1 }, { id: 1, bytes: 0 }, { message: 'x' }, {}])));
        break;
      default:
        frames.splice(j, 0, control('job', { ...validJobRequest(ctx, r, r.range(1, 3), Buffer.from('int x;\n')), fingerprint: otherFingerprint(ctx) }));
    }
  }
  return { kind: 'out-of-order', steps: cut(serialize(frames), r) };
};

/** A valid session cut at a random byte: mid-header, mid-body, mid-job. */
const truncated: Generator = (ctx, r) => {
  const session = validSession(ctx, r);
  mostlyMismatched(ctx, r, session);
  const bytes = serialize([session.hello, ...session.jobs.flatMap((part) => part.frames)]);
  return { kind: 'truncated', steps: cut(bytes.subarray(0, r.int(bytes.length)), r) };
};

/** A valid session with bits flipped, bytes inserted or a range deleted. */
const byteMutations: Generator = (ctx, r) => {
  const session = validSession(ctx, r);
  mostlyMismatched(ctx, r, session);
  let bytes = Buffer.from(serialize([session.hello, ...session.jobs.flatMap((part) => part.frames)]));
  for (let n = r.range(1, 4); n > 0; n--) {
    const at = r.int(bytes.length);
    switch (r.int(3)) {
      case 0:
        bytes[at] ^= 1 << r.int(8);
        break;
      case 1:
        bytes = Buffer.concat([bytes.subarray(0, at), r.bytes(r.range(1, 16)), bytes.subarray(at)]);
        break;
      default:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + r.range(1, 16)))]);
    }
  }
  return { kind: 'byte-mutations', steps: cut(bytes, r) };
};

/** Valid jobs whose args mix ordinary options with ones that would read or write outside the job dir. */
const argvInjection: Generator = (ctx, r) => {
  const session = validSession(ctx, r, r.range(1, 2));
  const codec = ctx.codecs[session.compression];
  const pool = dangerousArgs(ctx.canary);
  const pairs = dangerousPairs(ctx.canary);
  session.jobs = session.jobs.map((_part, i) => {
    const id = i + 1;
    // Ordinary options around at most one dangerous one, so the gate's answer turns on that one.
    const args = r.chance(0.9) ? ['-c'] : [];
    for (let n = r.int(4); n > 0; n--) args.splice(r.int(args.length + 1), 0, r.pick(SAFE_ARGS));
    if (r.chance(0.85)) {
      const at = r.int(args.length + 1);
      if (r.chance(0.7)) args.splice(at, 0, r.pick(pool));
      else args.splice(at, 0, ...r.pick(pairs));
    }
    const extra: Record<string, unknown> = { args };
    if (r.chance(0.2)) extra.compiler = r.pick(['gcc;touch x', '../gcc', '/usr/bin/gcc', 'sh', 'gcc-ar', 'gcc ', '$(gcc)', 'g\u0000cc', 'cc1']);
    if (r.chance(0.2)) extra[r.pick(['input', 'output'])] = r.pick(['../unit.o', `${ctx.canary}/x.o`, '..', 'a/b.o', '-o', '.']);
    if (r.chance(0.2)) extra.lang = r.pick(JOB_LANGS);
    return jobPart(ctx, r, codec, id, (request) => ({ ...request, ...extra }));
  });
  return { kind: 'argv-injection', steps: sessionSteps(session, r) };
};

/** A job that compiles for real, then the channel closes (or the job is cancelled) while the compiler runs. */
const stopMidCompile: Generator = (ctx, r) => {
  const session = validSession(ctx, r, 1);
  const part = session.jobs[0] as SessionPart;
  if (r.chance(0.5)) {
    part.waitAfter = false;
    return { kind: 'close-mid-compile', steps: sessionSteps(session, r) };
  }
  part.frames.push(control('cancel', { id: 1 }));
  return { kind: 'cancel-mid-compile', steps: sessionSteps(session, r) };
};

/** The control group: valid sessions that must compile (else the fuzzer tests nothing near valid). */
const valid: Generator = (ctx, r) => ({ kind: 'valid', steps: sessionSteps(validSession(ctx, r, r.chance(0.2) ? 2 : 1), r), mustCompile: true });

/** Weights: how often each generator runs. Compiling sequences are the expensive ones. */
const GENERATORS: ReadonlyArray<readonly [Generator, number]> = [
  [randomBytes, 8],
  [helloThenRandomBytes, 8],
  [badHello, 8],
  [hugeLength, 8],
  [wrongJobFields, 18],
  [wrongStreamFields, 8],
  [badData, 8],
  [outOfOrder, 12],
  [truncated, 8],
  [byteMutations, 8],
  [argvInjection, 6],
  [stopMidCompile, 1],
  [valid, 1],
];
const TOTAL_WEIGHT = GENERATORS.reduce((sum, [, weight]) => sum + weight, 0);

export function generateSequence(ctx: FuzzContext, r: FuzzRandom): FuzzSequence {
  let draw = r.int(TOTAL_WEIGHT);
  for (const [generator, weight] of GENERATORS) {
    if (draw < weight) return generator(ctx, r);
    draw -= weight;
  }
  return valid(ctx, r);
}

// ---------------------------------------------------------------------------------------------------------
// Mutations of a decoded message.

function mutateObject(target: Record<string, unknown>, ctx: FuzzContext, r: FuzzRandom): void {
  const keys = Object.keys(target);
  const key = r.pick(keys);
  switch (r.int(8)) {
    case 0:
      delete target[key];
      return;
    case 1:
      target[r.pick(['extra', '__proto__', 'constructor', 'prototype', `k${r.int(100)}`])] = r.pick(weirdValues(ctx, r));
      return;
    case 2: {
      const value = target[key];
      if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
        mutateObject(value as Record<string, unknown>, ctx, r);
        return;
      }
      if (Array.isArray(value)) {
        value.splice(r.int(value.length + 1), 0, r.pick(weirdValues(ctx, r)));
        return;
      }
      target[key] = r.pick(weirdValues(ctx, r));
      return;
    }
    case 3:
      if ('env' in target) {
        target.env = r.pick([
          { LD_PRELOAD: `${ctx.canary}/x.so` },
          { PATH: ctx.canary },
          { GCC_EXEC_PREFIX: `${ctx.canary}/` },
          Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`LC_X${String.fromCharCode(65 + (i % 26))}${i}`, 'C'])),
          { LANG: 'x'.repeat(2000) },
          { LC_ALL: 'C', SOURCE_DATE_EPOCH: '-1' },
        ]);
        return;
      }
      target[key] = r.pick(weirdValues(ctx, r));
      return;
    case 4:
      if ('args' in target) {
        target.args = r.pick([
          Array.from({ length: 5000 }, () => '-O2'),
          ['-c', 'x'.repeat(70_000)],
          ['-c', ...dangerousArgs(ctx.canary).slice(0, r.range(1, 20))],
          ['-c', ...r.pick(dangerousPairs(ctx.canary))],
          '-c -O2',
        ]);
        return;
      }
      target[key] = r.pick(weirdValues(ctx, r));
      return;
    default:
      target[key] = r.pick(weirdValues(ctx, r));
  }
}

function mutateJsonText(payload: Buffer, r: FuzzRandom): Buffer {
  switch (r.int(6)) {
    case 0:
      return payload.subarray(0, r.int(payload.length));
    case 1:
      return Buffer.concat([payload, r.bytes(r.range(1, 20))]);
    case 2:
      return Buffer.from(`${'['.repeat(r.range(1000, 200_000))}${']'.repeat(r.range(0, 10))}`);
    case 3:
      return Buffer.from(payload.toString().replace(/"/, "'"));
    case 4: {
      const out = Buffer.from(payload);
      out[r.int(out.length)] = r.pick([0x00, 0xff, 0xc3, 0x80, 0x7b, 0x5c]);
      return out;
    }
    default:
      return Buffer.from(r.pick(['null', '[]', '"job"', '1', '{}', 'true', '']));
  }
}
