// One pass over a compile command: each option is looked up in the family's table and sent to the local
// preprocess step, the remote compile, both or neither; inputs are collected with their language; anything
// that forces a local compile is remembered with what triggered it.

import { inputKindFromPath, inputKindFromX, type InputKind } from './language';
import type { OptionIndex } from './option-table';
import type { CompilerFamily, LocalReason } from './types';

export interface ParsedInput {
  /** As written in argv. */
  readonly arg: string;
  readonly kind: InputKind;
  /** The language came from `-x`, so the preprocess step must repeat it. */
  readonly fromX: boolean;
}

/** What the dependency options asked for, to make the .d file's name and target explicit. */
export interface DependencyRequest {
  /** Driver-level -MD / -MMD (or clang's -Wp,-MD,file, which its driver turns into -MD -MF file). */
  driverMd: boolean;
  /** The -MF file (driver or -Wp), if any. */
  file: string | undefined;
  /** Whether -MT or -MQ names the target. */
  target: boolean;
}

export interface ParsedCommand {
  readonly inputs: ParsedInput[];
  /** The last stage asked for: -E beats -S beats -c, as in gcc. */
  stop: 'c' | 'S' | 'E' | null;
  outputArg: string | undefined;
  readonly deps: DependencyRequest;
  /** Every option argument in order (values of separate options excluded), for later checks. */
  readonly options: string[];
  /** Arguments for the local preprocess step, in order. */
  readonly preprocess: string[];
  /** Arguments for the remote compile, in order. */
  readonly compile: string[];
  verbose: boolean;
  /** The first option that makes the driver answer by itself (--version, -print-*). */
  info: string | undefined;
  depsOnly: string | undefined;
  /** The first option that forces a local compile, and why. */
  forced: { readonly reason: LocalReason; readonly trigger: string } | undefined;
  /** An option that lacks its value at the end of argv. */
  malformed: string | undefined;
}

export function parseCommand(
  args: readonly string[],
  index: OptionIndex,
  family: CompilerFamily,
  cxx: boolean,
): ParsedCommand {
  const cmd: ParsedCommand = {
    inputs: [],
    stop: null,
    outputArg: undefined,
    deps: { driverMd: false, file: undefined, target: false },
    options: [],
    preprocess: [],
    compile: [],
    verbose: false,
    info: undefined,
    depsOnly: undefined,
    forced: undefined,
    malformed: undefined,
  };
  const force = (reason: LocalReason, trigger: string) => {
    cmd.forced ??= { reason, trigger };
  };
  let xLang: string | null = null;
  let xclangValueTo: 'both' | 'preprocess' = 'both';

  for (let i = 1; i < args.length; ) {
    const arg = args[i];
    const match = arg.startsWith('-') && arg !== '-' ? index.match(args, i) : null;
    if (!arg.startsWith('-') || arg === '-') {
      const kind = xLang === null ? inputKindFromPath(arg, cxx) : inputKindFromX(xLang);
      cmd.inputs.push({ arg, kind, fromX: xLang !== null });
      i++;
      continue;
    }
    cmd.options.push(arg);
    if (!match) {
      route(cmd, [arg], 'both'); // unknown options affect both steps, like -O2
      i++;
      continue;
    }
    const { row, value, consumed } = match;
    const words = args.slice(i, i + consumed);
    i += consumed;
    if (value === undefined && (row.value === 'separate' || row.value === 'either')) {
      cmd.malformed ??= arg;
      continue;
    }
    const effect = row.effect;
    if (effect.startsWith('local:')) {
      force(effect.slice('local:'.length) as LocalReason, words.join(' '));
      continue;
    }
    switch (effect) {
      case 'both':
      case 'preprocess':
      case 'compile':
        route(cmd, words, effect);
        break;
      case 'link':
      case 'ignore':
        break; // no effect with -c or -S
      case 'assembler':
        if (assemblerListing(row.flag, value ?? '')) force('assembler-listing', words.join(' '));
        route(cmd, words, 'compile');
        break;
      case 'deps':
        noteDependencyOption(cmd.deps, row.flag, value);
        route(cmd, words, 'preprocess');
        break;
      case 'deps-only':
        cmd.depsOnly ??= arg;
        break;
      case 'wp':
        routePreprocessorPassThrough(cmd, arg, value ?? '', family);
        break;
      case 'xclang':
        xclangValueTo = routeXclang(cmd, words, value ?? '', xclangValueTo, force);
        break;
      case 'output':
        cmd.outputArg = value;
        break;
      case 'lang':
        xLang = value === 'none' ? null : value ?? null;
        break;
      case 'stop-c':
      case 'stop-S':
      case 'stop-E':
        cmd.stop = strongerStop(cmd.stop, effect.slice(-1) as 'c' | 'S' | 'E');
        break;
      case 'verbose':
        cmd.verbose = true;
        route(cmd, words, 'both');
        break;
      case 'info':
        cmd.info ??= arg;
        break;
    }
  }
  return cmd;
}

// `-Xclang -include -Xclang file` (CMake's clang PCH lines) hands cc1 an option and then its value.
// -frewrite-includes inlines such a file, so it is the local step's alone; a .pch or -imacros file is not
// inlined, and the volunteer lacks it. Returns where the next -Xclang's value goes.
function routeXclang(
  cmd: ParsedCommand,
  words: readonly string[],
  value: string,
  to: 'both' | 'preprocess',
  force: (reason: LocalReason, trigger: string) => void,
): 'both' | 'preprocess' {
  if (to === 'preprocess') {
    route(cmd, words, 'preprocess');
    return 'both';
  }
  if (/^-(load|plugin|add-plugin)$|^-plugin-arg-/.test(value)) force('clang-plugin', words.join(' '));
  if (value === '-include-pch' || value === '-imacros') force('reads-files', words.join(' '));
  const next = value === '-include' ? 'preprocess' : 'both';
  route(cmd, words, next);
  return next;
}

function route(cmd: ParsedCommand, words: readonly string[], to: 'both' | 'preprocess' | 'compile'): void {
  if (to === 'both' || to === 'preprocess') cmd.preprocess.push(...words);
  if (to === 'both' || to === 'compile') cmd.compile.push(...words);
}

const STOP_RANK = { c: 1, S: 2, E: 3 } as const;

function strongerStop(a: 'c' | 'S' | 'E' | null, b: 'c' | 'S' | 'E'): 'c' | 'S' | 'E' {
  return a !== null && STOP_RANK[a] >= STOP_RANK[b] ? a : b;
}

/** gas listing options are `-a` followed by letters (and maybe `=file`); `--` options are something else. */
function assemblerListing(flag: string, value: string): boolean {
  const parts = flag === '-Wa,' ? value.split(',') : [value];
  return parts.some((part) => /^-a(?![-])/.test(part));
}

function noteDependencyOption(deps: DependencyRequest, flag: string, value: string | undefined): void {
  if (flag === '-MD' || flag === '-MMD') deps.driverMd = true;
  else if (flag === '-MF') deps.file = value;
  else if (flag === '-MT' || flag === '-MQ') deps.target = true;
}

// -Wp,a,b hands a and b to the preprocessor as separate arguments; -MD and -MMD take the next one as
// their file. gcc preprocesses locally only, so the whole option goes to the local step.
// clang's driver rewrites `-Wp,-MD,file` / `-Wp,-MMD,file` into -MD/-MMD -MF file (with a third part it
// keeps -MD, drops the rest and names the file after -o); any other -Wp reaches cc1 in both steps, since
// the volunteer preprocesses again (Fedora's -Wp,-D_FORTIFY_SOURCE=2). Checked with gcc 12 and clang 14.
function routePreprocessorPassThrough(cmd: ParsedCommand, arg: string, value: string, family: CompilerFamily): void {
  const parts = value.split(',');
  cmd.preprocess.push(arg);
  if (family === 'clang') {
    if (parts[0] === '-MD' || parts[0] === '-MMD') {
      cmd.deps.driverMd = true;
      if (parts.length === 2) cmd.deps.file = parts[1];
    } else {
      // Macro definitions are the driver's -D/-U to cc1 too; spelled that way the volunteer's option
      // gate (which refuses other -Wp, as it cannot know every cc1 option) lets them through.
      if (parts.every((part) => /^-[DU]./.test(part))) cmd.compile.push(...parts);
      else cmd.forced ??= { reason: 'preprocessor-option', trigger: arg };
    }
    return;
  }
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    // cc1 itself names the target after the input in both -E and -c, so nothing needs spelling out.
    if (part === '-MD' || part === '-MMD' || part === '-MF') cmd.deps.file = parts[++k];
    else if (part === '-MT' || part === '-MQ') cmd.deps.target = true;
    else if (part === '-M' || part === '-MM') cmd.depsOnly ??= arg;
  }
}
