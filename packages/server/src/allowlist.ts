// Which compiler names a job may ask for. The default accepts gcc, g++, cc, c++, clang and clang++,
// with an optional target prefix and version suffix (x86_64-linux-gnu-gcc-12, clang++-14); it refuses
// the tools that share those stems (gcc-ar, gcc-nm, clang-format, clang-cpp) and anything with a path.

const DEFAULT_COMPILER_NAME = /^(?:[A-Za-z0-9_.]+-)*(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+(?:\.\d+)*)?$/;

/** A name to look up on PATH: no directory part, nothing a shell or a path would read specially. */
const BARE_NAME = /^[A-Za-z0-9_.+-]{1,255}$/;

export interface CompilerAllowlist {
  allows(name: string): boolean;
  /** How the list was set, for --check. */
  readonly description: string;
}

/** `patterns` from the config replace the default; `*` matches any run of name characters. */
export function compilerAllowlist(patterns: readonly string[] | null): CompilerAllowlist {
  if (patterns === null) {
    return {
      allows: (name) => isBareName(name) && DEFAULT_COMPILER_NAME.test(name),
      description: 'default: gcc, g++, cc, c++, clang, clang++ with target prefixes and version suffixes',
    };
  }
  const regexes = patterns.map(globToRegExp);
  return {
    allows: (name) => isBareName(name) && regexes.some((re) => re.test(name)),
    description: `config: ${patterns.join(', ')}`,
  };
}

export function isBareName(name: string): boolean {
  return BARE_NAME.test(name) && name !== '.' && name !== '..' && !name.startsWith('-');
}

/** A config pattern is a bare name with `*` wildcards; anything else is a config error. */
export function isCompilerPattern(pattern: string): boolean {
  return isBareName(pattern.replace(/\*/g, 'x'));
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+]/g, '\\$&'))
    .join('[A-Za-z0-9_.+-]*');
  return new RegExp(`^${body}$`);
}
