// Whether argv[0] names a gcc- or clang-compatible driver, from its file name alone.

import * as path from 'node:path';
import type { CompilerFamily } from './types';

export interface CompilerName {
  /** The driver without target prefix or version: gcc, g++, cc, c++, clang or clang++. */
  readonly driver: string;
  /** g++, c++ and clang++ compile `.c` files as C++. */
  readonly cxx: boolean;
  /** A guess from the name; `cc` is assumed to be gcc unless the caller knows better. */
  readonly family: CompilerFamily;
}

// [target-prefix-]driver[-version | version][-posix|-win32][.exe]
// e.g. x86_64-linux-gnu-gcc-12, arm-none-eabi-g++, clang++-14, gcc12 (BSD ports), x86_64-w64-mingw32-g++-posix.
// A version glued to the name is accepted for gcc/clang only, so `cc1` (the compiler proper) is not a driver.
const DRIVER_NAME = new RegExp(
  String.raw`^(?:.+-)?(?:(gcc|g\+\+|clang|clang\+\+)(?:-?\d+(?:\.\d+)*)?|(cc|c\+\+)(?:-\d+(?:\.\d+)*)?)` +
    String.raw`(?:-posix|-win32)?(?:\.exe)?$`,
);

/** Recognizes argv[0] (a name or a path); null for anything else (icc, nvcc, gcc-ar, clang-cl, cc1...). */
export function recognizeCompiler(argv0: string): CompilerName | null {
  const base = path.basename(argv0);
  const m = DRIVER_NAME.exec(base);
  if (!m) return null;
  const driver = m[1] ?? m[2];
  return {
    driver,
    cxx: driver.endsWith('++'),
    family: base.includes('clang') ? 'clang' : 'gcc',
  };
}
