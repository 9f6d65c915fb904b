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
  | 'deps-only' // -M / -MM: dependency output only (they imply -E)
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
  | 'modules' // clang -fmodules, gcc -fmodules-ts: module files live on this machine
  | 'assembler-listing' // -Wa,-a* writes a listing file
  | 'device-file' // input or output under /dev
  | 'info-only' // -v, --version, -print-*, --help: the driver answers, nothing to compile
  | 'unknown-compiler'
  | 'syntax-only' // -fsyntax-only: nothing is written, so there is nothing to fetch
  | 'side-files' // -fdump-*, -fstack-usage, -MJ, -ftime-trace...: files beside the object sshcc doesn't fetch
  | 'reads-files' // the compile step itself reads a file of this machine (-fsanitize-ignorelist=, clang -imacros)
  | 'recorded-command-line' // -frecord-gcc-switches stores the argv, which differs on the volunteer
  | 'unreadable-response-file' // @file that can't be read: gcc keeps it as a literal argument
  | 'malformed' // e.g. `-o` without a file name: the compiler's own error is the answer
  | 'preprocessor-option' // clang -Wp,<option> other than -D/-U: it reaches the compile step, which a volunteer won't run
  | 'unused-macros'; // gcc -Wunused-macros: it refuses -fdirectives-only, and macros expanded here change -O0 code and -g

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
  /** The source file, resolved against cwd (absolute). */
  readonly input: string;
  /**
   * The plain file name (no directory) the volunteer must give its copy of the source: clang names the
   * object's STT_FILE symbol after it, so any other name makes the object differ from a local build.
   */
  readonly remoteInputName: string;
  /** Absolute path of the main output (`-o`, or inferred: foo.c → foo.o, with -S → foo.s). */
  readonly output: string;
  /** Language of the source (from -x or its extension). */
  readonly lang: Lang;
  /**
   * Full argv (argv[0] = compiler) run locally in cwd that writes the preprocessed source to stdout.
   * gcc: `-E -fdirectives-only`; clang: `-E -frewrite-includes`. Dependency flags act here only (with
   * -MF/-MQ made explicit so the .d file is byte-identical to a plain compile's). `null` when the input
   * needs no preprocessing (.i, .ii, .mi, .mii).
   */
  readonly preprocessArgv: readonly string[] | null;
  /**
   * The flags the volunteer compiles with: includes `-c` or `-S` and every code-generation, warning
   * and debug flag; never the input, `-o`, `-x`, include-path, link or dependency flags. gcc's end with
   * `-fdirectives-only`; clang's keep -D/-U (its volunteer preprocesses again) and, when names would
   * otherwise differ, `-Xclang -main-file-name|-split-dwarf-file -Xclang <name>`. The server appends
   * `-x <remoteLang> <remoteInputName> -o <its output> -fdebug-prefix-map=<job dir>=<cwd>`.
   */
  readonly compileArgv: readonly string[];
  /** The `-x` language the volunteer gives its input: gcc 'cpp-output'/'c++-cpp-output'; clang the source's. */
  readonly remoteLang: Lang;
  /** Absolute paths of outputs the compile writes besides the main one (e.g. the .dwo of -gsplit-dwarf). */
  readonly extraOutputs: readonly string[];
}

export type Analysis = LocalAnalysis | RemoteAnalysis;
