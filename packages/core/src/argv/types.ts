// The contract of argv analysis: what `analyzeArgs` is given and what it decides.

/** gcc's `-x` language names that sshcc knows. */
export type Lang =
  | 'c'
  | 'c++'
  | 'objective-c'
  | 'objective-c++'
  | 'cpp-output'
  | 'c++-cpp-output'
  | 'objective-c-cpp-output'
  | 'objective-c++-cpp-output'
  | 'assembler'
  | 'assembler-with-cpp';

export type CompilerFamily = 'gcc' | 'clang';

/**
 * Why a command runs on this machine. Each reason is also a stats key (`sshcc stats` counts local
 * jobs by reason), so the set is closed.
 */
export type LocalReason =
  | 'link' // no -c / -S: the driver would link
  | 'preprocess-only' // -E
  | 'deps-only' // -M / -MM without -E? (dependency output only)
  | 'multiple-inputs'
  | 'no-input'
  | 'stdin-input'
  | 'unsupported-lang' // e.g. plain assembler (.s), which may read other files, or an unknown -x
  | 'native-arch' // -march=native and friends depend on the machine that compiles
  | 'profile' // -fprofile-generate / -fprofile-use read or write profile files
  | 'coverage' // -ftest-coverage / --coverage write .gcno beside the object
  | 'save-temps'
  | 'specs'
  | 'plugin'
  | 'frepo'
  | 'clang-plugin' // -Xclang -load
  | 'clang-modules'
  | 'assembler-listing' // -Wa,-a* writes a listing file
  | 'device-file' // input or output under /dev
  | 'info-only' // -v, --version, -print-*, --help: the driver answers, nothing to compile
  | 'unknown-compiler';

export interface AnalyzeContext {
  /** The client's working directory; relative paths in argv are relative to it. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads an `@file` response file (path already resolved against cwd). Throws if unreadable. */
  readonly readFile?: (path: string) => string;
  /** The compiler's family when the caller knows it (from its fingerprint); else guessed from its name. */
  readonly family?: CompilerFamily;
}

export interface LocalAnalysis {
  readonly mode: 'local';
  readonly reason: LocalReason;
  /** One human sentence: why this command runs locally (shown by `sshcc explain` and verbose logs). */
  readonly detail: string;
}

export interface RemoteAnalysis {
  readonly mode: 'remote';
  /** argv[0] as given (a name to find on PATH, or a path). */
  readonly compiler: string;
  readonly family: CompilerFamily;
  /** The source file as written in argv, and resolved against cwd. */
  readonly input: string;
  /** Absolute path of the main output (`-o`, or inferred: foo.c → foo.o, with -S → foo.s). */
  readonly output: string;
  /** Language of the source (from -x or its extension). */
  readonly lang: Lang;
  /**
   * Full argv (argv[0] = compiler) run locally in cwd that writes the preprocessed source to stdout.
   * Dependency flags act here only (with -MF/-MT made explicit so the .d file is the one a normal
   * compile would write). `null` when the input needs no preprocessing (.i, .ii, .mi, .mii).
   */
  readonly preprocessArgv: readonly string[] | null;
  /**
   * The flags the volunteer compiles with: includes `-c` or `-S` and every code-generation, warning
   * and debug flag; never the input, `-o`, `-x`, preprocessor-only or dependency flags. The server
   * appends `-x <remoteLang> <its input> -o <its output>` (plus prefix maps).
   */
  readonly compileArgv: readonly string[];
  /** The `-x` language the volunteer gives its input (e.g. 'cpp-output', or 'c' for gcc directives-only). */
  readonly remoteLang: Lang;
  /** Absolute paths of outputs the compile writes besides the main one (e.g. the .dwo of -gsplit-dwarf). */
  readonly extraOutputs: readonly string[];
}

export type Analysis = LocalAnalysis | RemoteAnalysis;
