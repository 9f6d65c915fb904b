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
  /** Refuse only some values: -Wa, parts that touch files; -fopt-info=FILE; paths given to -mllvm. */
  readonly check?: 'assembler-parts' | 'no-file' | 'no-path';
}

const READS = 'reads files outside the job dir';
const WRITES = 'writes files outside the job dir';
const LOADS = 'loads code into the compiler';
const LINKS = 'is for linking, which sshcc never runs remotely';
const DEPS = 'writes a dependency file, which sshcc makes on the client';
const SERVER = 'is set by the server';

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
  { flag: '--target', match: 'prefix', separateValue: true },
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
  { flag: '-Wp,', match: 'prefix', refused: 'passes options to the preprocessor, which ran on the client' },
  { flag: '-X', match: 'prefix', refused: 'passes options past the driver to a tool it runs' },
  { flag: '-arch', match: 'exact', separateValue: true },
  { flag: '-aux-info', match: 'prefix', refused: WRITES },
  { flag: '-ccc-', match: 'prefix', refused: 'changes which programs the clang driver runs' },
  { flag: '-dumpbase', match: 'prefix', refused: 'names auxiliary output files' },
  { flag: '-dumpdir', match: 'prefix', refused: WRITES },
  { flag: '-fauto-profile', match: 'prefix', refused: READS },
  { flag: '-fbasic-block-sections=list=', match: 'prefix', refused: READS },
  { flag: '-fcoverage-data-file', match: 'prefix', refused: WRITES },
  { flag: '-fcoverage-notes-file', match: 'prefix', refused: WRITES },
  { flag: '-fcrash-diagnostics-dir', match: 'prefix', refused: WRITES },
  { flag: '-fdump-', match: 'prefix', refused: WRITES },
  { flag: '-fembed-offload-object', match: 'prefix', refused: READS },
  { flag: '-fmodule', match: 'prefix', refused: 'reads or writes module files, or runs a module mapper' },
  { flag: '-fopt-info', match: 'prefix', check: 'no-file' },
  { flag: '-foptimization-record-file', match: 'prefix', refused: WRITES },
  { flag: '-fpass-plugin', match: 'prefix', refused: LOADS },
  { flag: '-fplugin', match: 'prefix', refused: LOADS },
  { flag: '-fprofile-dir', match: 'prefix', refused: READS },
  { flag: '-fprofile-instr-use', match: 'prefix', refused: READS },
  { flag: '-fprofile-list', match: 'prefix', refused: READS },
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
  { flag: '-fsanitize-system-ignorelist', match: 'prefix', refused: READS },
  { flag: '-fself-test', match: 'prefix', refused: READS },
  { flag: '-ftime-trace=', match: 'prefix', refused: WRITES },
  { flag: '-fxray-always-instrument', match: 'prefix', refused: READS },
  { flag: '-fxray-attr-list', match: 'prefix', refused: READS },
  { flag: '-fxray-never-instrument', match: 'prefix', refused: READS },
  { flag: '-gcc-toolchain', match: 'prefix', refused: 'chooses where the driver finds its programs' },
  { flag: '-i', match: 'prefix', refused: READS },
  { flag: '-l', match: 'prefix', refused: LINKS },
  { flag: '-mllvm', match: 'exact', separateValue: true, check: 'no-path' },
  { flag: '-o', match: 'prefix', refused: SERVER },
  { flag: '-resource-dir', match: 'prefix', refused: 'chooses where the driver finds its files' },
  { flag: '-save-temps', match: 'prefix', refused: WRITES },
  { flag: '-specs', match: 'prefix', refused: 'reads a specs file, which can run any program' },
  { flag: '-target', match: 'exact', separateValue: true },
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
    default:
      return null;
  }
}
