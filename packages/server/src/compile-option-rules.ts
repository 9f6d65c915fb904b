// What the server's gate knows about compile options: the ones refused because they read or write
// files outside the job dir, load code, or change what the compile is; and the ones whose value is the
// next argument (so that value is not mistaken for an extra input file). One row per option, sorted.
// Everything else is passed to the compiler as given; the volunteer's defence against a hostile
// *source* is the job dir and the user it runs as, not this table (see README).

export interface CompileOptionRule {
  readonly flag: string;
  /** 'exact': the argument is the flag; 'prefix': the argument starts with it (joined values). */
  readonly match: 'exact' | 'prefix';
  /** When the argument is exactly the flag, the next argument is its value. */
  readonly separateValue?: boolean;
  /** Why the option is refused; a row without one is allowed. */
  readonly refused?: string;
  /**
   * Refuse only some values: -Wa, parts that touch files; -fopt-info=FILE; paths given to -mllvm, or as
   * a target (clang looks for `<target>-as` and GCC installations by it); options smuggled inside a value
   * (-foffload=TARGETS=OPTIONS); -Wp, parts other than macros. 'cc1-option': -Xclang, whose cc1 option and value span several arguments
   * (see checkCc1Option).
   */
  readonly check?: 'assembler-parts' | 'no-file' | 'no-path' | 'no-options' | 'macro-parts' | 'cc1-option';
}

const READS = 'reads files outside the job dir';
const WRITES = 'writes files outside the job dir';
const LOADS = 'loads code into the compiler';
const LINKS = 'is for linking, which sshcc never runs remotely';
const DEPS = 'writes a dependency file, which sshcc makes on the client';
const SERVER = 'is set by the server';
const PAST_DRIVER = 'passes options past the driver to a tool it runs';
const PAST_GATE = 'passes options to a second compile, past this gate';

export const COMPILE_OPTION_RULES: readonly CompileOptionRule[] = [
  { flag: '-', match: 'exact', refused: 'reads the source from stdin' },
  { flag: '--all-warnings', match: 'exact' },
  { flag: '--ansi', match: 'exact' },
  { flag: '--coverage', match: 'exact' },
  { flag: '--extra-warnings', match: 'exact' },
  { flag: '--no-warnings', match: 'exact' },
  { flag: '--param', match: 'prefix', separateValue: true },
  { flag: '--pedantic', match: 'exact' },
  { flag: '--pedantic-errors', match: 'exact' },
  { flag: '--std=', match: 'prefix' },
  { flag: '--target=', match: 'prefix', check: 'no-path' },
  { flag: '--verbose', match: 'exact' },
  { flag: '-A', match: 'exact', separateValue: true },
  { flag: '-B', match: 'prefix', refused: 'chooses where the driver finds its programs' },
  { flag: '-D', match: 'exact', separateValue: true },
  { flag: '-F', match: 'prefix', refused: READS },
  { flag: '-I', match: 'prefix', refused: READS },
  { flag: '-L', match: 'prefix', refused: LINKS },
  { flag: '-M', match: 'prefix', refused: DEPS },
  { flag: '-T', match: 'prefix', refused: LINKS },
  { flag: '-U', match: 'exact', separateValue: true },
  { flag: '-Wa,', match: 'prefix', check: 'assembler-parts' },
  { flag: '-Wl,', match: 'prefix', refused: LINKS },
  { flag: '-Wp,', match: 'prefix', check: 'macro-parts' },
  { flag: '-X', match: 'prefix', refused: PAST_DRIVER },
  { flag: '-Xclang', match: 'exact', check: 'cc1-option' },
  { flag: '-arch', match: 'exact', separateValue: true, check: 'no-path' },
  { flag: '-arcmt-migrate-report-output', match: 'prefix', refused: WRITES },
  { flag: '-aux-info', match: 'prefix', refused: WRITES },
  { flag: '-ccc-', match: 'prefix', refused: 'changes which programs the clang driver runs' },
  { flag: '-cxx-isystem', match: 'prefix', refused: READS },
  { flag: '-dependency-', match: 'prefix', refused: DEPS },
  { flag: '-dsym-dir', match: 'prefix', refused: WRITES },
  { flag: '-dumpbase', match: 'prefix', refused: 'names auxiliary output files' },
  { flag: '-dumpdir', match: 'prefix', refused: WRITES },
  { flag: '-fauto-profile', match: 'prefix', refused: READS },
  { flag: '-fbasic-block-sections=list=', match: 'prefix', refused: READS },
  { flag: '-fbuild-session-file', match: 'prefix', refused: READS },
  { flag: '-fcompare-debug=', match: 'prefix', refused: PAST_GATE },
  { flag: '-fcoverage-data-file', match: 'prefix', refused: WRITES },
  { flag: '-fcoverage-notes-file', match: 'prefix', refused: WRITES },
  { flag: '-fcrash-diagnostics-dir', match: 'prefix', refused: WRITES },
  { flag: '-fdiagnostics-add-output', match: 'prefix', refused: WRITES },
  { flag: '-fdiagnostics-set-output', match: 'prefix', refused: WRITES },
  { flag: '-fdump-', match: 'prefix', refused: WRITES },
  { flag: '-fembed-offload-object', match: 'prefix', refused: READS },
  { flag: '-fexperimental-sanitize-metadata-ignorelist', match: 'prefix', refused: READS },
  { flag: '-fmemory-profile-use', match: 'prefix', refused: READS },
  { flag: '-fmodule', match: 'prefix', refused: 'reads or writes module files, or runs a module mapper' },
  { flag: '-foffload-options', match: 'prefix', refused: PAST_DRIVER },
  { flag: '-foffload=', match: 'prefix', check: 'no-options' },
  { flag: '-fopt-info', match: 'prefix', check: 'no-file' },
  { flag: '-foptimization-record-file', match: 'prefix', refused: WRITES },
  { flag: '-fpass-plugin', match: 'prefix', refused: LOADS },
  { flag: '-fplugin', match: 'prefix', refused: LOADS },
  { flag: '-fpre-include', match: 'prefix', refused: READS },
  { flag: '-fprebuilt-module-path', match: 'prefix', refused: READS },
  { flag: '-fproc-stat-report', match: 'prefix', refused: WRITES },
  { flag: '-fprofile-dir', match: 'prefix', refused: READS },
  { flag: '-fprofile-instr-use', match: 'prefix', refused: READS },
  { flag: '-fprofile-list', match: 'prefix', refused: READS },
  { flag: '-fprofile-note', match: 'prefix', refused: WRITES },
  { flag: '-fprofile-remapping-file', match: 'prefix', refused: READS },
  { flag: '-fprofile-sample-use', match: 'prefix', refused: READS },
  { flag: '-fprofile-use', match: 'prefix', refused: READS },
  { flag: '-fsanitize-blacklist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-coverage-allowlist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-coverage-blacklist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-coverage-blocklist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-coverage-ignorelist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-coverage-whitelist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-ignorelist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-system-blacklist', match: 'prefix', refused: READS },
  { flag: '-fsanitize-system-ignorelist', match: 'prefix', refused: READS },
  { flag: '-fself-test', match: 'prefix', refused: READS },
  { flag: '-fthinlto-index', match: 'prefix', refused: READS },
  { flag: '-ftime-trace=', match: 'prefix', refused: WRITES },
  { flag: '-fuse-ld', match: 'prefix', refused: LINKS },
  { flag: '-fxray-always-instrument', match: 'prefix', refused: READS },
  { flag: '-fxray-attr-list', match: 'prefix', refused: READS },
  { flag: '-fxray-never-instrument', match: 'prefix', refused: READS },
  { flag: '-gcc-toolchain', match: 'prefix', refused: 'chooses where the driver finds its programs' },
  { flag: '-gen-cdb-fragment-path', match: 'prefix', refused: WRITES },
  { flag: '-i', match: 'prefix', refused: READS },
  { flag: '-l', match: 'prefix', refused: LINKS },
  { flag: '-mllvm', match: 'exact', separateValue: true, check: 'no-path' },
  { flag: '-module-dependency-dir', match: 'prefix', refused: WRITES },
  { flag: '-o', match: 'prefix', refused: SERVER },
  { flag: '-print-', match: 'prefix', refused: 'prints facts about the volunteer instead of compiling' },
  { flag: '-resource-dir', match: 'prefix', refused: 'chooses where the driver finds its files' },
  { flag: '-save-temps', match: 'prefix', refused: WRITES },
  { flag: '-serialize-diagnostics', match: 'prefix', refused: WRITES },
  { flag: '-specs', match: 'prefix', refused: 'reads a specs file, which can run any program' },
  { flag: '-stdlib++-isystem', match: 'prefix', refused: READS },
  { flag: '-target', match: 'exact', separateValue: true, check: 'no-path' },
  { flag: '-time=', match: 'prefix', refused: WRITES },
  { flag: '-working-directory', match: 'prefix', refused: 'moves the compile out of the job dir' },
  { flag: '-wrapper', match: 'exact', refused: 'runs the compiler under another program' },
  { flag: '-x', match: 'prefix', refused: SERVER },
  { flag: '@', match: 'prefix', refused: 'reads more arguments from a file' },
];

/** Assembler options (inside -Wa,) that read or write files: listings, output, includes, response files. */
const ASSEMBLER_FILE_OPTION = /^(?:-a|-o|-I|@|--MD|--listing|-MD)/;

/** The most specific rule for `arg`, if any. */
export function ruleFor(arg: string): CompileOptionRule | undefined {
  let best: CompileOptionRule | undefined;
  for (const rule of COMPILE_OPTION_RULES) {
    const hit = rule.match === 'exact' ? arg === rule.flag : arg.startsWith(rule.flag);
    if (hit && (!best || rule.flag.length > best.flag.length)) best = rule;
  }
  return best;
}

/** Why `value` (the argument itself, or a separate value) is refused under `rule`'s check, if it is. */
export function checkValue(rule: CompileOptionRule, value: string): string | null {
  switch (rule.check) {
    case 'assembler-parts': {
      const part = value.slice(rule.flag.length).split(',').find((p) => ASSEMBLER_FILE_OPTION.test(p));
      return part === undefined ? null : `passes ${part}, which reads or writes files, to the assembler`;
    }
    case 'no-file':
      return value.includes('=') ? WRITES : null;
    case 'no-path':
      return value.includes('/') ? 'names a path' : null;
    case 'no-options':
      return value.slice(rule.flag.length).includes('=') ? PAST_DRIVER : null;
    case 'macro-parts': {
      // clang's driver hands each part to cc1, which preprocesses again on the volunteer: a macro
      // definition means the same there, anything else (-C, -dD, -MD,file, -include ...) is the client's.
      const part = value.slice(rule.flag.length).split(',').find((p) => !/^-[DU]./.test(p));
      if (part === undefined) return null;
      return `passes ${part || 'an empty part'} to the preprocessor, which ran on the client (only -D and -U pass)`;
    }
    default:
      return null;
  }
}

/**
 * The cc1 options that pass through -Xclang: the names sshcc's own analysis adds so that a clang object
 * built in the job dir records what a local build records. Both are names written into the debug info;
 * clang 14 opens neither (checked with strace), so a path is fine where it says so.
 */
const CC1_NAME_OPTIONS: ReadonlyMap<string, (value: string) => string | null> = new Map<string, (value: string) => string | null>([
  // The compile unit's DW_AT_name: the input as the client's command line spelled it (src/foo.c,
  // ../foo.c or /abs/foo.c), recorded only.
  ['-main-file-name', (value: string) => (value === '' || value.startsWith('-') ? 'names no file' : null)],
  // The .dwo name the skeleton unit records. clang >= 8 writes the .dwo to -split-dwarf-output, which its
  // driver derives from the server's -o; older clangs wrote to this path, so it must stay in the job dir.
  ['-split-dwarf-file', (value: string) => (isInsideRelativePath(value) ? null : 'names a path outside the job dir')],
]);

/** A relative path that cannot climb out of the dir it is resolved in. */
function isInsideRelativePath(value: string): boolean {
  return value !== '' && !value.startsWith('/') && !value.startsWith('-') && !value.split('/').includes('..');
}

export interface Cc1OptionCheck {
  /** Arguments the option takes, counting the first -Xclang. */
  readonly taken: number;
  /** Why the gate refuses it (a whole sentence, as jobPermitted reports it), or null. */
  readonly refused: string | null;
}

/**
 * Checks the -Xclang at `args[i]`. -Xclang hands cc1 one word, so a cc1 option with a value is two pairs
 * (`-Xclang -main-file-name -Xclang src/foo.c`). Only the name options above pass; any other cc1 option
 * is refused, since cc1 has options that load plugins or read and write files (-load, -include-pch, -o).
 */
export function checkCc1Option(args: readonly string[], i: number): Cc1OptionCheck {
  const option = args[i + 1];
  if (option === undefined) return { taken: 1, refused: 'option -Xclang needs a value' };
  const checkName = CC1_NAME_OPTIONS.get(option);
  if (!checkName) return { taken: 2, refused: `option -Xclang is not allowed: it ${PAST_DRIVER}` };
  const value = args[i + 3];
  if (args[i + 2] !== '-Xclang' || value === undefined) {
    return { taken: 2, refused: `option -Xclang ${option} needs its value as -Xclang <value>` };
  }
  if (value.includes('\0')) return { taken: 4, refused: `argument ${i + 4} contains a NUL byte` };
  const why = checkName(value);
  return { taken: 4, refused: why && `option -Xclang ${option} -Xclang ${value} is not allowed: it ${why}` };
}
