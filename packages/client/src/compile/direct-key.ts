// Which compiles the direct cache serves, and the key its manifests are found by: the compile as the
// build states it, before any preprocessor runs. Everything that can change what cpp reads or writes,
// or the result key of what it writes, is in the key or keeps the compile out.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { RemoteAnalysis } from '@sshcc/core';
import { CACHE_KEY_VERSION, type CompilerFingerprint } from '@sshcc/protocol';

/** Bump when what goes in changes; the result key's version is in it too. */
const DIRECT_KEY_VERSION = 'sshcc-direct-v1';

/**
 * The environment that reaches cpp (include paths, the driver's prefix, clang's extra options) or the
 * result key (locale, SOURCE_DATE_EPOCH). Not all of it: make's MAKEFLAGS and the like differ between
 * two runs of one build and change nothing.
 */
const KEYED_ENV = /^(?:CPATH|C_INCLUDE_PATH|CPLUS_INCLUDE_PATH|OBJC_INCLUDE_PATH|OBJCPLUS_INCLUDE_PATH|GCC_EXEC_PREFIX|COMPILER_PATH|CCC_OVERRIDE_OPTIONS|SDKROOT|SOURCE_DATE_EPOCH|LANG|LANGUAGE|LC_[A-Z]+)$/;

/** gcc writes a dependency file from these alone; a direct hit would not write it. */
const DEPENDENCY_ENV = ['DEPENDENCIES_OUTPUT', 'SUNPRO_DEPENDENCIES'];

/**
 * Preprocessor options a direct hit cannot honour: -MG (a missing header passes unseen), -M/-MM, and
 * options handed to cpp unread (-Wp, -Xpreprocessor) or spelled in ways not read here.
 */
const UNDIRECT_OPTION = /^(?:-MG$|-MM?$|-Wp,|-Xpreprocessor$|--(?:write-)?(?:user-)?dependencies)/;
/** The dependency options read here: the driver's, each value separate (`-MF a.d`) or joined (`-MFa.d`). */
const WRITES_DEPS = /^-MM?D$/;
const DEP_FILE = /^-MF(.*)$/;
const DEP_TARGET = /^-M[TQ](.*)$/;

/** How the direct cache serves a compile: `depFile`, the dependency file cpp writes (-MD), or null. */
export interface DirectPlan {
  readonly depFile: string | null;
}

/**
 * Whether and how the direct cache may serve this compile: it runs cpp, whose only output besides its
 * stdout is at most a dependency file the driver's -MD/-MMD -MF name (a hit writes it as stored), and the
 * build did not turn direct mode off (SSHCC_DIRECT=0, as ccache's CCACHE_NODIRECT). Null: not served.
 */
export function directPlan(analysis: RemoteAnalysis, cwd: string, env: Readonly<Record<string, string>>): DirectPlan | null {
  const argv = analysis.preprocessArgv;
  if (argv === null || env.SSHCC_DIRECT === '0' || DEPENDENCY_ENV.some((name) => env[name] !== undefined)) return null;
  let writes = false;
  let file: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (UNDIRECT_OPTION.test(arg)) return null;
    if (WRITES_DEPS.test(arg)) writes = true;
    const named = DEP_FILE.exec(arg);
    if (named) file = named[1] === '' ? argv[++i] : named[1];
    else if (DEP_TARGET.exec(arg)?.[1] === '') i++;
  }
  // -MF without -MD names nothing cpp writes here; -MD without -MF: the analysis spells it out, so a
  // missing one is a command line not understood.
  if (writes !== (file !== undefined)) return null;
  return { depFile: file === undefined ? null : resolve(cwd, file) };
}

export interface DirectKeyInput {
  /** The real compiler's path and fingerprint. */
  readonly compiler: string;
  readonly fingerprint: CompilerFingerprint;
  /** The build's command line (argv[0] as the build named it: clang's driver mode follows it), cwd and environment. */
  readonly argv: readonly string[];
  /** What the analysis made of it: response files (`@file`) expanded, as cpp and the compile get them. */
  readonly analysis: Pick<RemoteAnalysis, 'preprocessArgv' | 'compileArgv' | 'output' | 'extraOutputs'>;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The source file's bytes as they are now. */
  readonly source: Uint8Array;
}

/**
 * SHA-256 (hex) of the compile as stated. The cwd is always in: relative -I options, the source's name
 * and the names in cpp's markers resolve against it, and debug info may record it.
 */
export function directKey(input: DirectKeyInput): string {
  const { fingerprint } = input;
  const env = Object.entries(input.env)
    .filter(([name]) => KEYED_ENV.test(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const stated = [
    DIRECT_KEY_VERSION,
    CACHE_KEY_VERSION,
    input.compiler,
    [fingerprint.version, fingerprint.target, fingerprint.driver, fingerprint.cc1, fingerprint.cc1plus],
    input.argv,
    input.analysis.preprocessArgv,
    input.analysis.compileArgv,
    [input.analysis.output, ...input.analysis.extraOutputs],
    input.cwd,
    env,
    createHash('sha256').update(input.source).digest('hex'),
  ];
  // JSON quotes every string, so no two different inputs encode alike.
  return createHash('sha256').update(JSON.stringify(stated)).digest('hex');
}
