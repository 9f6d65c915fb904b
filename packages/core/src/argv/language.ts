// Which language gcc would compile an input as: from `-x LANG` when given, else from the file's extension.

import type { Lang } from './types';

/** What an input argument is to sshcc. */
export type InputKind =
  | { readonly kind: 'source'; readonly lang: Lang }
  /** A language gcc/clang compile that sshcc leaves local: assembler, headers (PCH), Fortran, CUDA... */
  | { readonly kind: 'unsupported'; readonly lang: string }
  /** Not a compiler input at all (objects, libraries): with -c gcc only warns it is unused. */
  | { readonly kind: 'other' };

// gcc's suffix table (gcc.cc default_compilers), case-sensitive: `.C` is C++ and `.M` Objective-C++.
const SOURCE_SUFFIXES: Readonly<Record<string, Lang>> = {
  c: 'c',
  i: 'cpp-output',
  ii: 'c++-cpp-output',
  m: 'objective-c',
  mi: 'objective-c-cpp-output',
  mm: 'objective-c++',
  M: 'objective-c++',
  mii: 'objective-c++-cpp-output',
  cc: 'c++',
  cp: 'c++',
  cxx: 'c++',
  cpp: 'c++',
  CPP: 'c++',
  'c++': 'c++',
  C: 'c++',
};

// Assembler may `.include`/`.incbin` files the preprocessor never saw, and is cheap: it stays local.
// Header inputs make precompiled headers. The rest are languages sshcc does not distribute.
const UNSUPPORTED_SUFFIXES: Readonly<Record<string, string>> = {
  s: 'assembler',
  S: 'assembler-with-cpp',
  sx: 'assembler-with-cpp',
  h: 'c-header',
  hh: 'c++-header',
  H: 'c++-header',
  hp: 'c++-header',
  hxx: 'c++-header',
  hpp: 'c++-header',
  HPP: 'c++-header',
  'h++': 'c++-header',
  tcc: 'c++-header',
  f: 'f77',
  for: 'f77',
  ftn: 'f77',
  F: 'f77-cpp-input',
  FOR: 'f77-cpp-input',
  fpp: 'f77-cpp-input',
  FPP: 'f77-cpp-input',
  FTN: 'f77-cpp-input',
  f90: 'f95',
  f95: 'f95',
  f03: 'f95',
  f08: 'f95',
  F90: 'f95-cpp-input',
  F95: 'f95-cpp-input',
  F03: 'f95-cpp-input',
  F08: 'f95-cpp-input',
  ads: 'ada',
  adb: 'ada',
  d: 'd',
  di: 'd',
  dd: 'd',
  go: 'go',
  mod: 'modula-2',
  cu: 'cuda',
  cl: 'cl',
  hip: 'hip',
  cppm: 'c++-module',
  ixx: 'c++-module',
};

// The names `-x` accepts that sshcc compiles remotely; clang's `objc-*` spellings are aliases.
const X_LANGS: Readonly<Record<string, Lang>> = {
  c: 'c',
  'c++': 'c++',
  'objective-c': 'objective-c',
  'objective-c++': 'objective-c++',
  'cpp-output': 'cpp-output',
  'c++-cpp-output': 'c++-cpp-output',
  'objective-c-cpp-output': 'objective-c-cpp-output',
  'objc-cpp-output': 'objective-c-cpp-output',
  'objective-c++-cpp-output': 'objective-c++-cpp-output',
  'objc++-cpp-output': 'objective-c++-cpp-output',
};

// g++ and clang++ compile `.c` as C++ and `.i` as preprocessed C++ (gcc's documented g++ behaviour).
const CXX_DRIVER_LANGS: Readonly<Partial<Record<Lang, Lang>>> = {
  c: 'c++',
  'cpp-output': 'c++-cpp-output',
};

/** The suffix gcc looks at: what follows the last dot of the file name (not of a directory). */
export function suffixOf(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? null : name.slice(dot + 1);
}

/** The kind of `path` when no `-x` applies to it. `cxxDriver`: the compiler is g++/c++/clang++. */
export function inputKindFromPath(path: string, cxxDriver: boolean): InputKind {
  const suffix = suffixOf(path);
  if (suffix === null) return { kind: 'other' };
  if (Object.hasOwn(SOURCE_SUFFIXES, suffix)) {
    const lang = SOURCE_SUFFIXES[suffix];
    return { kind: 'source', lang: (cxxDriver && CXX_DRIVER_LANGS[lang]) || lang };
  }
  if (Object.hasOwn(UNSUPPORTED_SUFFIXES, suffix)) {
    const lang = UNSUPPORTED_SUFFIXES[suffix];
    return { kind: 'unsupported', lang: cxxDriver && lang === 'c-header' ? 'c++-header' : lang };
  }
  return { kind: 'other' };
}

/** The kind an input gets from `-x value` (never 'other': gcc compiles whatever -x names, or refuses). */
export function inputKindFromX(value: string): InputKind {
  if (Object.hasOwn(X_LANGS, value)) return { kind: 'source', lang: X_LANGS[value] };
  return { kind: 'unsupported', lang: value };
}

/** Whether the input is already preprocessed (.i, .ii, .mi, .mii), so there is no local step. */
export function isPreprocessedLang(lang: Lang): boolean {
  return lang.endsWith('cpp-output');
}

/** The `-x` name of this language once preprocessed: c → cpp-output, c++ → c++-cpp-output. */
export function preprocessedLang(lang: Lang): Lang {
  switch (lang) {
    case 'c':
      return 'cpp-output';
    case 'c++':
      return 'c++-cpp-output';
    case 'objective-c':
      return 'objective-c-cpp-output';
    case 'objective-c++':
      return 'objective-c++-cpp-output';
    default:
      return lang;
  }
}
