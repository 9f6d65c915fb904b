// The agent's half of a remote compile, done by hand for end-to-end tests: analyse a command line,
// preprocess locally, describe the job the way the client does (client/src/job/remote-job-spec.ts),
// and the local builds a remote object is compared with.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { analyzeArgs, type RemoteAnalysis } from '@sshcc/core';
import type { CompilerFingerprint, JobSpec } from '@sshcc/protocol';
import { fingerprintCompiler } from '@sshcc/store';

/** Diagnostics read the same on both ends whatever the test runner's locale. */
export const LOCALE = { LC_ALL: 'C' } as const;

export interface SplitCompile {
  readonly analysis: RemoteAnalysis;
  /** What the volunteer gets: the preprocessed source (or the file itself for .i/.ii). */
  readonly source: Buffer;
  readonly spec: JobSpec;
}

export interface Run {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export function run(argv: readonly string[], cwd: string): Run {
  const result = spawnSync(argv[0] as string, argv.slice(1), {
    cwd,
    env: { ...process.env, ...LOCALE },
    encoding: 'buffer',
    maxBuffer: 256 << 20,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function mustRun(argv: readonly string[], cwd: string): Buffer {
  const result = run(argv, cwd);
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr.toString()}`);
  return result.stdout;
}

const fingerprints = new Map<string, Promise<CompilerFingerprint>>();

function fingerprintOf(compiler: string): Promise<CompilerFingerprint> {
  let fingerprint = fingerprints.get(compiler);
  if (!fingerprint) {
    fingerprint = fingerprintCompiler(compiler);
    fingerprints.set(compiler, fingerprint);
  }
  return fingerprint;
}

/** Writes `files` (relative path → text) under `dir`, making folders as needed. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** `line` (space-separated, run in `cwd`) split as the agent splits it, preprocessed locally. */
export async function splitCompile(line: string, cwd: string): Promise<SplitCompile> {
  const analysis = analyzeArgs(line.split(' '), { cwd, env: {} });
  if (analysis.mode !== 'remote') throw new Error(`expected a remote compile for "${line}": ${analysis.detail}`);
  const source = analysis.preprocessArgv ? mustRun(analysis.preprocessArgv, cwd) : readFileSync(analysis.input);
  const spec: JobSpec = {
    compiler: basename(analysis.compiler),
    fingerprint: await fingerprintOf(analysis.compiler),
    args: [...analysis.compileArgv],
    lang: analysis.remoteLang,
    input: analysis.remoteInputName,
    output: basename(analysis.output),
    extraOutputs: analysis.extraOutputs.map((path) => basename(path)),
    cwd,
    env: { ...LOCALE },
    timeLimitSeconds: 120,
    sourceBytes: source.length,
  };
  return { analysis, source, spec };
}

/** The plain local build of `line` in `cwd`: its main output, and its extra outputs by base name. */
export function buildLocally(line: string, split: SplitCompile, cwd: string): Map<string, Buffer> {
  mustRun(line.split(' '), cwd);
  const { analysis } = split;
  const files = new Map<string, Buffer>();
  for (const path of [analysis.output, ...analysis.extraOutputs]) {
    files.set(basename(path), readFileSync(path));
    rmSync(path);
  }
  return files;
}

/**
 * The same preprocessed source compiled locally the way the volunteer compiles it, but in `cwd` itself
 * (so no prefix map is needed): `compileArgv -x remoteLang <remoteInputName> -o <name>`.
 */
export function compilePreprocessedIn(cwd: string, split: SplitCompile, outputName: string): Run & { object: Buffer | null } {
  const { analysis, source } = split;
  const input = join(cwd, analysis.remoteInputName);
  writeFileSync(input, source, { flag: 'wx' });
  try {
    const argv = [analysis.compiler, ...analysis.compileArgv, '-x', analysis.remoteLang, analysis.remoteInputName, '-o', outputName];
    const result = run(argv, cwd);
    const output = join(cwd, outputName);
    const object = result.status === 0 ? readFileSync(output) : null;
    rmSync(output, { force: true });
    return { ...result, object };
  } finally {
    rmSync(input);
  }
}
