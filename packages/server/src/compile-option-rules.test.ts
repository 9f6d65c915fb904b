import { basename } from 'node:path';
import { analyzeArgs } from '@sshcc/core';
import type { JobRequest } from '@sshcc/protocol';
import { COMPILE_OPTION_RULES, compilerAllowlist, jobPermitted } from '@sshcc/server';

describe('COMPILE_OPTION_RULES', () => {
  it('is sorted by flag, one row per flag', () => {
    const flags = COMPILE_OPTION_RULES.map((rule) => rule.flag);
    expect(flags).toEqual([...flags].sort());
    expect(new Set(flags).size).toBe(flags.length);
  });

  it('gives each row a reason to exist', () => {
    for (const rule of COMPILE_OPTION_RULES) {
      expect(Boolean(rule.refused || rule.separateValue || rule.check || rule.flag.startsWith('--'))).toBe(true);
    }
  });
});

const allowlist = compilerAllowlist(null);
const FINGERPRINT = { version: 'v', target: 't', driver: '0'.repeat(64), cc1: null, cc1plus: null };
const request = (args: readonly string[]): JobRequest => ({
  id: 1,
  compiler: 'clang',
  fingerprint: FINGERPRINT,
  args: [...args],
  lang: 'c',
  input: 'a.c',
  output: 'a.o',
  extraOutputs: [],
  cwd: '/home/me/proj',
  env: {},
  timeLimitSeconds: 60,
  sourceBytes: null,
});
const reasonFor = (args: readonly string[]): string | null => {
  const permission = jobPermitted(request(args), allowlist);
  return permission.ok ? null : permission.reason;
};
const xclang = (option: string, value: string): string[] => ['-Xclang', option, '-Xclang', value];

describe('-Xclang: only the names sshcc analysis adds', () => {
  it.each<[string, string[]]>([
    ['main file in a subdir', ['-c', '-g', ...xclang('-main-file-name', 'src/foo.c')]],
    ['main file above the cwd', ['-c', '-g', ...xclang('-main-file-name', '../src/foo.c')]],
    ['absolute main file (CMake)', ['-c', '-g', ...xclang('-main-file-name', '/home/me/proj/src/foo.c')]],
    ['split dwarf file, plain', ['-c', '-gsplit-dwarf', ...xclang('-split-dwarf-file', 'foo.dwo')]],
    ['split dwarf file in a subdir', ['-c', '-gsplit-dwarf', ...xclang('-split-dwarf-file', 'obj/foo.dwo')]],
    [
      'both, then more options',
      ['-c', '-g', ...xclang('-main-file-name', 'src/a.c'), ...xclang('-split-dwarf-file', 'obj/a.dwo'), '-O2'],
    ],
  ])('allows %s', (_name, args) => {
    expect(reasonFor(args)).toBeNull();
  });

  it.each<[string[], string]>([
    [['-c', '-Xclang', '-load', '-Xclang', 'evil.so'], 'option -Xclang is not allowed: it passes options past the driver to a tool it runs'],
    [['-c', ...xclang('-include-pch', 'x.pch')], 'option -Xclang is not allowed: it passes options past the driver to a tool it runs'],
    [['-c', ...xclang('-o', '/tmp/x.o')], 'option -Xclang is not allowed: it passes options past the driver to a tool it runs'],
    [['-c', '-Xclang', '-add-plugin'], 'option -Xclang is not allowed: it passes options past the driver to a tool it runs'],
    [['-c', '-Xclang'], 'option -Xclang needs a value'],
    [['-c', '-Xclang', '-main-file-name'], 'option -Xclang -main-file-name needs its value as -Xclang <value>'],
    // The value must come through -Xclang too, else the driver would read it as an input file.
    [['-c', '-Xclang', '-main-file-name', 'src/a.c'], 'option -Xclang -main-file-name needs its value as -Xclang <value>'],
    [['-c', ...xclang('-main-file-name', '-load')], 'option -Xclang -main-file-name -Xclang -load is not allowed: it names no file'],
    [['-c', ...xclang('-main-file-name', '')], 'option -Xclang -main-file-name -Xclang  is not allowed: it names no file'],
    [['-c', ...xclang('-split-dwarf-file', '/tmp/x.dwo')], 'option -Xclang -split-dwarf-file -Xclang /tmp/x.dwo is not allowed: it names a path outside the job dir'],
    [['-c', ...xclang('-split-dwarf-file', '../x.dwo')], 'option -Xclang -split-dwarf-file -Xclang ../x.dwo is not allowed: it names a path outside the job dir'],
    [['-c', ...xclang('-split-dwarf-file', 'obj/../../x.dwo')], 'option -Xclang -split-dwarf-file -Xclang obj/../../x.dwo is not allowed: it names a path outside the job dir'],
    [['-c', ...xclang('-main-file-name', 'a\0.c')], 'argument 5 contains a NUL byte'],
    // The pair is consumed whole: an option after it is still checked.
    [['-c', ...xclang('-main-file-name', 'src/a.c'), '-fplugin=x.so'], 'option -fplugin=x.so is not allowed: it loads code into the compiler'],
    [['-c', '-Xpreprocessor', '-C'], 'option -Xpreprocessor is not allowed: it passes options past the driver to a tool it runs'],
    [['-c', '-Xassembler', '-adhln=/tmp/l'], 'option -Xassembler is not allowed: it passes options past the driver to a tool it runs'],
  ])('refuses %j', (args, reason) => {
    expect(reasonFor(args)).toBe(reason);
  });
});

describe('-Wp,: macro definitions only', () => {
  it.each<[string[]]>([[['-c', '-Wp,-D_FORTIFY_SOURCE=2']], [['-c', '-Wp,-DA,-UB,-DC=1']], [['-c', '-Wp,-UNDEBUG']]])(
    'allows %j',
    (args) => {
      expect(reasonFor(args)).toBeNull();
    },
  );

  it.each<[string[], string]>([
    [['-c', '-Wp,-C'], 'option -Wp,-C is not allowed: it passes -C to the preprocessor, which ran on the client (only -D and -U pass)'],
    [['-c', '-Wp,-DA,-MD,x.d'], 'option -Wp,-DA,-MD,x.d is not allowed: it passes -MD to the preprocessor, which ran on the client (only -D and -U pass)'],
    [['-c', '-Wp,-include,/etc/passwd'], 'option -Wp,-include,/etc/passwd is not allowed: it passes -include to the preprocessor, which ran on the client (only -D and -U pass)'],
    [['-c', '-Wp,-D,X'], 'option -Wp,-D,X is not allowed: it passes -D to the preprocessor, which ran on the client (only -D and -U pass)'],
    [['-c', '-Wp,-DX=a,b'], 'option -Wp,-DX=a,b is not allowed: it passes b to the preprocessor, which ran on the client (only -D and -U pass)'],
    [['-c', '-Wp,'], 'option -Wp, is not allowed: it passes an empty part to the preprocessor, which ran on the client (only -D and -U pass)'],
  ])('refuses %j', (args, reason) => {
    expect(reasonFor(args)).toBe(reason);
  });
});

// The client sends analyzeArgs' compileArgv as the job's args (client/src/job/remote-job-spec.ts): every
// common line the analysis sends remote must pass this gate, or the two have drifted apart.
describe('analyzeArgs and the gate agree', () => {
  const cwd = '/home/me/proj';
  it.each([
    'gcc -O2 -Wall -c foo.c -o foo.o',
    'gcc -Iinc -DFOO=1 -O2 -g -MD -MF obj/a.d -c src/a.c -o obj/a.o',
    'g++ -std=c++17 -O2 -fPIC -DPIC -c src/x.cpp -o obj/x.o',
    'gcc -Wp,-D_FORTIFY_SOURCE=2 -fstack-protector-strong -O2 -g -pipe -c a.c',
    'gcc -g -gsplit-dwarf -c src/a.c -o a.o',
    'cc -S -O3 -march=x86-64-v3 foo.c',
    '/usr/bin/c++ -DNDEBUG -I/home/me/proj/include -isystem /usr/include/foo -O3 -std=gnu++17 -MD -MT CMakeFiles/t.dir/a.cpp.o -MF CMakeFiles/t.dir/a.cpp.o.d -o CMakeFiles/t.dir/a.cpp.o -c /home/me/proj/src/a.cpp',
    'gcc -x c -c gen.txt -o gen.o',
    'clang -g -c src/a.c -o obj/a.o',
    'clang++ -gsplit-dwarf -c x.cpp',
    'clang -g -gsplit-dwarf -c src/a.c -o obj/a.o',
    'clang -Wp,-D_FORTIFY_SOURCE=2,-UDEBUG -O2 -c /home/me/proj/a.c',
    'clang -g -O0 -c ../src/a.c -o a.o',
    'clang++ -g -fdebug-prefix-map=/home/me/proj=. -std=c++20 -Werror -c /home/me/proj/src/b.cpp -o CMakeFiles/t.dir/src/b.cpp.o',
    'clang -MMD -MP -DX=1 -Iinc -O2 -fno-omit-frame-pointer -c lib/c.c -o build/c.o',
  ])('%s', (line) => {
    const analysis = analyzeArgs(line.split(' '), { cwd, env: {} });
    if (analysis.mode !== 'remote') throw new Error(`expected a remote compile, got local: ${analysis.detail}`);
    const permission = jobPermitted(
      {
        ...request(analysis.compileArgv),
        compiler: basename(analysis.compiler),
        lang: analysis.remoteLang,
        input: analysis.remoteInputName,
        output: basename(analysis.output),
        extraOutputs: analysis.extraOutputs.map((path) => basename(path)),
        cwd,
      },
      allowlist,
    );
    expect(permission).toEqual({ ok: true });
  });
});
