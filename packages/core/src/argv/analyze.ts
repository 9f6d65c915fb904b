// analyzeArgs: decides whether a compiler command can be split into a local preprocess step and a remote
// compile, and if so builds both argv lists. Pure: files are only read through ctx.readFile (@files).
//
// The recipe, checked byte for byte against local builds with gcc 12 and clang 14 (see
// analyze.real-compilers.test.ts):
//   gcc:   local  `gcc <pp+both> -E -fdirectives-only <input>`
//          remote `gcc -c <both+compile> -fdirectives-only -x cpp-output <file>` (c++-cpp-output for C++):
//          macros are expanded on the volunteer, so -g line and column tables match a local build.
//   clang: local  `clang <pp+both> -E -frewrite-includes <input>` (includes inlined, macros untouched)
//          remote `clang -c <both+compile> -x c <file>`: the volunteer preprocesses again, hence -D/-U on
//          both sides (clang-options.ts). The file must be named like the input (remoteInputName: clang's
//          STT_FILE symbol); with -g, `-Xclang -main-file-name -Xclang src/foo.c` makes DW_AT_name match.

import * as path from 'node:path';
import { CLANG_OPTIONS } from './clang-options';
import { recognizeCompiler } from './compiler-name';
import { emitsDebugInfo, writesSplitDwarf } from './debug-info';
import { GCC_OPTIONS } from './gcc-options';
import { isPreprocessedLang, preprocessedLang } from './language';
import { local } from './local-reasons';
import { OptionIndex } from './option-table';
import { defaultDependencyFile, defaultDependencyTarget, inferredOutput, splitDwarfFile } from './output-name';
import { parseCommand, type DependencyRequest, type ParsedCommand } from './parse-command';
import { expandResponseFiles } from './response-files';
import type { Analysis, AnalyzeContext, CompilerFamily } from './types';

const INDEX: Readonly<Record<CompilerFamily, OptionIndex>> = {
  gcc: new OptionIndex(GCC_OPTIONS),
  clang: new OptionIndex(CLANG_OPTIONS),
};

/** Where a preprocessed stream on stdout would be corrupted by a .d file written to the same place. */
const STDOUT_NAMES = new Set(['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

// CMake reads the include paths `-v` prints; the volunteer's -fpreprocessed compile would print none.
const VERBOSE_WHY = "what the driver prints (its programs and search paths) must be this machine's";

export function analyzeArgs(argv: readonly string[], ctx: AnalyzeContext): Analysis {
  const compiler = argv[0] ?? '';
  const name = recognizeCompiler(compiler);
  if (!name) return local('unknown-compiler', compiler === '' ? 'empty command' : path.basename(compiler));
  const family = ctx.family ?? name.family;
  const expanded = expandResponseFiles(argv, ctx.cwd, ctx.readFile);
  const cmd = parseCommand(expanded.args, INDEX[family], family, name.cxx);

  if (cmd.info) return local('info-only', cmd.info);
  if (expanded.unreadable.length > 0) return local('unreadable-response-file', expanded.unreadable.join(' '));
  if (cmd.malformed) return local('malformed', `${cmd.malformed} without its value`);
  if (cmd.verbose) return local('info-only', '-v', VERBOSE_WHY);
  if (cmd.stop === 'E') return local('preprocess-only', '-E');
  if (cmd.depsOnly) return local('deps-only', cmd.depsOnly);
  if (cmd.forced?.reason === 'syntax-only') return local('syntax-only', cmd.forced.trigger); // it never links
  if (cmd.stop === null) {
    return cmd.inputs.length > 0 ? local('link', 'no -c or -S') : local('no-input', 'no -c, -S or input');
  }
  const inputVerdict = checkInputs(cmd);
  if (inputVerdict) return inputVerdict;
  if (cmd.forced) return local(cmd.forced.reason, cmd.forced.trigger);
  return remote(compiler, family, cmd, ctx.cwd);
}

function checkInputs(cmd: ParsedCommand): Analysis | null {
  const { inputs } = cmd;
  if (inputs.length === 0) return local('no-input', 'no input file');
  if (inputs.some((input) => input.arg === '-')) return local('stdin-input', '-');
  const sources = inputs.filter((input) => input.kind.kind !== 'other');
  if (inputs.length > 1) {
    const what = sources.length > 1 ? `${sources.length} source files` : `${inputs.length} inputs`;
    return local('multiple-inputs', `${what} (${inputs.map((input) => input.arg).join(' ')})`);
  }
  const [input] = inputs;
  if (input.kind.kind === 'other') return local('no-input', `${input.arg} is not a C, C++ or Objective-C source`);
  if (input.kind.kind === 'unsupported') return local('unsupported-lang', `${input.arg} (${input.kind.lang})`);
  return null;
}

function remote(compiler: string, family: CompilerFamily, cmd: ParsedCommand, cwd: string): Analysis {
  const input = cmd.inputs[0];
  if (input.kind.kind !== 'source') return local('no-input', input.arg); // checkInputs already said so
  const lang = input.kind.lang;
  const stop = cmd.stop === 'S' ? 'S' : 'c';
  const emitLlvm = cmd.options.includes('-emit-llvm') && family === 'clang';
  const kind = stop === 'S' ? (emitLlvm ? 'llvm-ir' : 'assembly') : emitLlvm ? 'llvm-bitcode' : 'object';
  const outputArg = cmd.outputArg ?? inferredOutput(input.arg, kind);
  const inputPath = path.resolve(cwd, input.arg);
  const output = path.resolve(cwd, outputArg);

  if (inputPath.startsWith('/dev/')) return local('device-file', input.arg);
  if (cmd.outputArg === '-' || output.startsWith('/dev/')) return local('device-file', `-o ${outputArg}`);
  const depFile = cmd.deps.file;
  if (depFile !== undefined && STDOUT_NAMES.has(depFile)) return local('device-file', `-MF ${depFile}`);

  const stopFlag = stop === 'S' ? '-S' : '-c';
  const dwo = writesSplitDwarf(cmd.options, family, stop) ? splitDwarfFile(outputArg) : undefined;
  if (dwo !== undefined && family === 'gcc' && path.dirname(outputArg) !== '.') {
    // gcc records the .dwo's path as -o spells it; a volunteer compiles into a plain name in its job dir.
    return local('side-files', '-gsplit-dwarf', "gcc records the .dwo's path from -o, which a volunteer's job dir cannot reproduce");
  }
  const extraOutputs = dwo === undefined ? [] : [path.resolve(cwd, dwo)];
  const clangExtras = family === 'clang' ? clangNames(cmd.options, input.arg, dwo) : [];
  const common = {
    mode: 'remote',
    compiler,
    family,
    input: inputPath,
    remoteInputName: path.basename(input.arg),
    output,
    lang,
    extraOutputs,
  } as const;

  if (isPreprocessedLang(lang)) {
    const compileArgv = [stopFlag, ...cmd.compile, ...clangExtras];
    return { ...common, preprocessArgv: null, compileArgv, remoteLang: lang };
  }
  // gcc refuses -fdirectives-only beside -Wunused-macros, and macros expanded here (plain -E) lose the
  // locations that -O0 code (a nop at a function's end) and -g's columns depend on.
  if (family === 'gcc' && warnsOfUnusedMacros(cmd.options)) return local('unused-macros', '-Wunused-macros');
  const preprocessArgv = [
    compiler,
    ...cmd.preprocess,
    ...(family === 'gcc' ? ['-E', '-fdirectives-only'] : ['-E', '-frewrite-includes']),
    ...explicitDependencyFlags(cmd.deps, cmd.outputArg, input.arg),
    ...(input.fromX ? ['-x', lang] : []),
    input.arg,
  ];
  if (family === 'gcc') {
    const compileArgv = [stopFlag, ...cmd.compile, '-fdirectives-only'];
    return { ...common, preprocessArgv, compileArgv, remoteLang: preprocessedLang(lang) };
  }
  return { ...common, preprocessArgv, compileArgv: [stopFlag, ...cmd.compile, ...clangExtras], remoteLang: lang };
}

/** Whether the last of gcc's -W[no-]unused-macros / -Werror=unused-macros turns the warning on. */
function warnsOfUnusedMacros(options: readonly string[]): boolean {
  let on = false;
  for (const opt of options) {
    if (opt === '-Wunused-macros' || opt === '-Werror=unused-macros') on = true;
    else if (opt === '-Wno-unused-macros') on = false;
  }
  return on;
}

/**
 * clang names the debug info's compile unit `<folder of the input file>/<-main-file-name>`; its driver
 * passes just the input's file name, so a volunteer compiling `foo.c` in its job dir would record `foo.c`
 * where a local build records `src/foo.c`. It also records the .dwo's name from -split-dwarf-file, which
 * the driver derives from -o. cc1 options need -Xclang, so they are added only when they matter.
 */
function clangNames(options: readonly string[], inputArg: string, dwo: string | undefined): string[] {
  const needsName = emitsDebugInfo(options) && path.dirname(inputArg) !== '.';
  const names = needsName ? ['-Xclang', '-main-file-name', '-Xclang', inputArg] : [];
  return dwo === undefined ? names : [...names, '-Xclang', '-split-dwarf-file', '-Xclang', dwo];
}

/**
 * The local step writes to stdout without -o, so the driver would name the .d file and its target after
 * the input (foo.d, foo.o) instead of after -o (obj/foo.d, obj/foo.o). Spell out what a plain compile
 * would use. gcc's -Wp,-MD,file needs nothing: cc1 names the target after the input in both cases.
 */
export function explicitDependencyFlags(
  deps: DependencyRequest,
  outputArg: string | undefined,
  inputArg: string,
): string[] {
  if (!deps.driverMd) return [];
  return [
    ...(deps.file === undefined ? ['-MF', defaultDependencyFile(outputArg, inputArg)] : []),
    ...(deps.target ? [] : ['-MQ', outputArg ?? defaultDependencyTarget(inputArg)]),
  ];
}
