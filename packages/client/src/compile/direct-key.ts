// Which compiles the direct cache serves, and the key its manifests are found by: the compile as the
// build states it, before any preprocessor runs. Everything that can change what cpp reads or writes,
// or the result key of what it writes, is in the key or keeps the compile out.
import { createHash } from 'node:crypto';
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
 * Preprocessor options a direct hit cannot honour: every -M option (the dependency file is cpp's
 * output, and -MG lets a missing header pass unseen) and options handed to cpp unread (-Wp, -Xpreprocessor).
 */
const UNDIRECT_OPTION = /^(?:-M|-Wp,|-Xpreprocessor$|--(?:write-)?(?:user-)?dependencies)/;

/**
 * Whether the direct cache may serve this compile: it runs cpp and nothing but its stdout comes of that,
 * and the build did not turn direct mode off (SSHCC_DIRECT=0, as ccache's CCACHE_NODIRECT).
 */
export function directEligible(analysis: RemoteAnalysis, env: Readonly<Record<string, string>>): boolean {
  const argv = analysis.preprocessArgv;
  if (argv === null || env.SSHCC_DIRECT === '0') return false;
  return !argv.some((arg) => UNDIRECT_OPTION.test(arg)) && !DEPENDENCY_ENV.some((name) => env[name] !== undefined);
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
