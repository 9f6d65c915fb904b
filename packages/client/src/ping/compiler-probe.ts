import { SshccError } from '@sshcc/core';
import type { ClientSession, CompilerFingerprint, JobResult, JobSpec } from '@sshcc/protocol';
import { fingerprintCompiler } from '@sshcc/store';
import { findRealCompiler } from '../masquerade/find-real-compiler';
import { currentDepth, DEPTH_VAR } from '../thin/handover-env';
import type { CompilerCheck } from './ping-report';

// A volunteer's hello names its compilers but not their fingerprints. Whether one matches this machine's
// is answered the way a real job would be: a tiny compile sent with our fingerprint. The volunteer
// compares before it compiles, and a compile that succeeds shows the whole path works.

const PROBE_SOURCE = Buffer.from('int sshcc_ping_probe;\n');
/** gcc's and clang's C++ drivers: `g++`, `clang++-14`, `x86_64-linux-gnu-g++-12`, `c++`. */
const CXX_NAME = /\+\+/;

export interface ProbeContext {
  /** This machine's PATH and cwd, to find the same compiler names here. */
  readonly path: string | undefined;
  readonly cwd: string;
  /** The sshcc executable, skipped on PATH like every masquerade link. */
  readonly self: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

export function probeJob(compiler: string, fingerprint: CompilerFingerprint, cwd: string, timeoutMs: number): JobSpec {
  const cxx = CXX_NAME.test(compiler);
  return {
    compiler,
    fingerprint,
    args: ['-c'],
    lang: cxx ? 'c++' : 'c',
    input: cxx ? 'sshcc-ping.cc' : 'sshcc-ping.c',
    output: 'sshcc-ping.o',
    extraOutputs: [],
    cwd,
    env: {},
    timeLimitSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
    sourceBytes: PROBE_SOURCE.length,
    // A probe never queues for a busy volunteer's slots: its answer comes at once (see checkOne).
    whenBusy: 'decline',
  };
}

/** Runs one job with a deadline; a job past it is cancelled (the channel is then spent). */
export async function runProbe(session: ClientSession, job: JobSpec, source: Uint8Array, timeoutMs: number): Promise<JobResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await session.runJob(job, source, { signal });
  } catch (err) {
    if (signal.aborted) throw new SshccError('timeout', `no answer to a ${job.compiler} probe within ${timeoutMs / 1000} s`, { cause: err });
    throw err;
  }
}

/**
 * Checks every compiler name the volunteer offers against the same name here. The local fingerprints
 * (a few compiler runs each) are all taken at once; the probes then go one after another on the channel.
 */
export async function checkCompilers(session: ClientSession, names: readonly string[], context: ProbeContext): Promise<CompilerCheck[]> {
  const local = names.map((name) => localCompiler(name, context));
  const checks: CompilerCheck[] = [];
  for (const [i, name] of names.entries()) checks.push(await checkOne(session, name, await (local[i] as Promise<LocalCompiler>), context));
  return checks;
}

type LocalCompiler = { readonly path: string; readonly fingerprint: CompilerFingerprint } | { readonly path: null; readonly why: string };

/** Never rejects: a compiler that cannot be fingerprinted here is simply not here. */
async function localCompiler(name: string, context: ProbeContext): Promise<LocalCompiler> {
  const path = findRealCompiler(name, { path: context.path, cwd: context.cwd, self: context.self });
  if (path === undefined) return { path: null, why: `no ${name} on this machine's PATH` };
  try {
    // As for any compiler sshcc runs: a wrapper script (c89-gcc) that calls `gcc` through a masquerade
    // link on PATH then gets the real gcc, not an agent started (and jobs counted) for a ping.
    const env = { ...context.env, [DEPTH_VAR]: String(currentDepth(context.env) + 1) };
    return { path, fingerprint: await fingerprintCompiler(path, { env }) };
  } catch (err) {
    return { path: null, why: `${path}: ${(err as Error).message}` };
  }
}

async function checkOne(session: ClientSession, name: string, local: LocalCompiler, context: ProbeContext): Promise<CompilerCheck> {
  if (local.path === null) return { name, status: 'not-here', here: null, detail: local.why };
  const { path, fingerprint } = local;
  const here = { path, version: fingerprint.version, target: fingerprint.target, driver: fingerprint.driver };
  const result = await runProbe(session, probeJob(name, fingerprint, context.cwd, context.timeoutMs), PROBE_SOURCE, context.timeoutMs);
  switch (result.kind) {
    case 'compiled':
      if (result.exitCode === 0) return { name, status: 'match', here, detail: null };
      return { name, status: 'failed', here, detail: `the probe compile failed there: ${firstLine(result.stderr) || `exit ${result.exitCode ?? result.signal}`}` };
    case 'compiler-mismatch':
      return { name, status: 'mismatch', here, detail: result.message };
    case 'compiler-missing':
      return { name, status: 'missing-there', here, detail: result.message };
    case 'refused':
      return { name, status: 'refused', here, detail: result.message };
    // The volunteer answers busy only after its compiler was found by this fingerprint: it matches.
    case 'busy':
      return { name, status: 'match', here, detail: `matched by fingerprint; not compiled, ${result.message}` };
    default:
      return { name, status: 'failed', here, detail: `${result.kind}: ${result.message}` };
  }
}

function firstLine(bytes: Buffer): string {
  return bytes.toString('utf8').trim().split('\n')[0] ?? '';
}
