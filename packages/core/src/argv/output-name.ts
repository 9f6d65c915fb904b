// The names gcc and clang give the files a compile writes, when the command line does not spell them out.
// Checked with gcc 12 and clang 14, which agree on all of these:
//   -c src/foo.c              → foo.o in the cwd (-S: foo.s)      -o obj/foo.o -MD → obj/foo.d
//   -o obj/foo -MD            → obj/foo.d                         -o obj/.foo -MD  → obj/.d
//   -o obj/foo.o -gsplit-dwarf → obj/foo.dwo                      no -o, -MD       → foo.d, target foo.o

import * as path from 'node:path';

/** gcc's `%.SUFFIX` rule: replace everything from the last dot of the file name, or append if none. */
export function replaceSuffix(file: string, suffix: string): string {
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  return (dot > slash ? file.slice(0, dot) : file) + suffix;
}

export type OutputKind = 'object' | 'assembly' | 'llvm-bitcode' | 'llvm-ir';

const OUTPUT_SUFFIX: Readonly<Record<OutputKind, string>> = {
  object: '.o',
  assembly: '.s',
  'llvm-bitcode': '.bc', // clang -c -emit-llvm
  'llvm-ir': '.ll', // clang -S -emit-llvm
};

/** The output when there is no -o: the input's file name with a new suffix, in the cwd (relative). */
export function inferredOutput(input: string, kind: OutputKind): string {
  return replaceSuffix(path.basename(input), OUTPUT_SUFFIX[kind]);
}

/** The make target a .d file names when neither -MT nor -MQ nor -o says otherwise (even with -S). */
export function defaultDependencyTarget(input: string): string {
  return replaceSuffix(path.basename(input), '.o');
}

/** The .d file of -MD/-MMD without -MF: from -o when given, else from the input's file name. */
export function defaultDependencyFile(outputArg: string | undefined, input: string): string {
  return replaceSuffix(outputArg ?? path.basename(input), '.d');
}

/** The .dwo file -gsplit-dwarf writes beside `output` (the output as written, or inferred). */
export function splitDwarfFile(output: string): string {
  return replaceSuffix(output, '.dwo');
}
