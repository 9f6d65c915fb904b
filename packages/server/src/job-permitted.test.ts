import type { JobRequest } from '@sshcc/protocol';
import { compilerAllowlist, jobPermitted } from '@sshcc/server';

const allowlist = compilerAllowlist(null);
const base: JobRequest = {
  id: 1,
  compiler: 'gcc',
  fingerprint: { version: 'v', target: 't', driver: '0'.repeat(64), cc1: null, cc1plus: null },
  args: ['-c'],
  lang: 'cpp-output',
  input: 'foo.i',
  output: 'foo.o',
  extraOutputs: [],
  cwd: '/home/me/src',
  env: {},
  timeLimitSeconds: 60,
  sourceBytes: null,
};
const reasonFor = (change: Partial<JobRequest>): string | null => {
  const permission = jobPermitted({ ...base, ...change }, allowlist);
  return permission.ok ? null : permission.reason;
};

describe('jobPermitted', () => {
  it.each<[string[]]>([
    [['-c', '-O2', '-g', '-Wall', '-Wextra', '-std=c11', '-fPIC']],
    [['-S', '-march=x86-64-v2', '-fno-omit-frame-pointer', '-fdiagnostics-color=always']],
    [['-c', '-D', 'FOO=1', '-U', 'BAR', '-DBAZ', '--param', 'max-inline-insns-single=100', '--param=l1-cache-size=32']],
    [['-c', '-fdebug-prefix-map=/home/me=.', '-ffile-prefix-map=/src=/x', '-gsplit-dwarf']],
    [['-c', '-Wa,--noexecstack', '-Wa,-mrelax-relocations=no', '-fopt-info-vec-missed']],
    [['-c', '-mllvm', '-inline-threshold=500', '-target', 'x86_64-linux-gnu', '--target=aarch64-linux-gnu']],
    [['-c', '-fpreprocessed', '-fdirectives-only', '-fworking-directory', '-frandom-seed=abc']],
    [['-c', '-time', '-fcompare-debug', '-foffload=disable', '-arch', 'x86_64']],
  ])('allows %j', (args) => {
    expect(reasonFor({ args })).toBeNull();
  });

  it.each<[string[], string]>([
    [['-c', '-o', '/etc/passwd'], 'option -o is not allowed: it is set by the server'],
    [['-c', '-o/tmp/x.o'], 'option -o/tmp/x.o is not allowed: it is set by the server'],
    [['-c', '-specs=/tmp/evil.specs'], 'option -specs=/tmp/evil.specs is not allowed: it reads a specs file, which can run any program'],
    [['-c', '-fplugin=/tmp/x.so'], 'option -fplugin=/tmp/x.so is not allowed: it loads code into the compiler'],
    [['-c', '@/etc/shadow'], 'option @/etc/shadow is not allowed: it reads more arguments from a file'],
    [['-c', '-B/tmp/bin'], 'option -B/tmp/bin is not allowed: it chooses where the driver finds its programs'],
    [['-c', '--sysroot=/'], "option --sysroot=/ is not on the server's list of long options"],
    [['-c', '--outp=/tmp/x.o'], "option --outp=/tmp/x.o is not on the server's list of long options"],
    [['-c', '-Wl,-rpath,/x'], 'option -Wl,-rpath,/x is not allowed: it is for linking, which sshcc never runs remotely'],
    [['-c', '-wrapper', 'gdb,--args'], 'option -wrapper is not allowed: it runs the compiler under another program'],
    [['-c', '-fdump-tree-all=/tmp/d'], 'option -fdump-tree-all=/tmp/d is not allowed: it writes files outside the job dir'],
    [['-c', '-save-temps=obj'], 'option -save-temps=obj is not allowed: it writes files outside the job dir'],
    [['-c', '-MF', 'deps.d'], 'option -MF is not allowed: it writes a dependency file, which sshcc makes on the client'],
    [['-c', '-include', '/etc/passwd'], 'option -include is not allowed: it reads files outside the job dir'],
    [['-c', '-isystem/usr/include'], 'option -isystem/usr/include is not allowed: it reads files outside the job dir'],
    [['-c', '-Xclang', '-load'], 'option -Xclang is not allowed: it passes options past the driver to a tool it runs'],
    [['-c', '-Wa,-adhln=/tmp/listing'], 'option -Wa,-adhln=/tmp/listing is not allowed: it passes -adhln=/tmp/listing, which reads or writes files, to the assembler'],
    [['-c', '-fopt-info-vec=/tmp/x'], 'option -fopt-info-vec=/tmp/x is not allowed: it writes files outside the job dir'],
    [['-c', '-mllvm', '-stats-file=/tmp/x'], 'option -mllvm is not allowed: it names a path'],
    [['-c', '-fmodule-mapper=|evil'], 'option -fmodule-mapper=|evil is not allowed: it reads or writes module files, or runs a module mapper'],
    [['-c', '-fprofile-use=/data/x.gcda'], 'option -fprofile-use=/data/x.gcda is not allowed: it reads files outside the job dir'],
    [['-c', '-x', 'c'], 'option -x is not allowed: it is set by the server'],
    [['-c', '/etc/passwd.c'], 'argument "/etc/passwd.c" is not an option (an extra input file?)'],
    [['-c', '-'], 'option - is not allowed: it reads the source from stdin'],
    [['-c', '-D'], 'option -D needs a value'],
    [['-c', '-O2\0-fplugin=x'], 'argument 2 contains a NUL byte'],
    // Found by probing gcc 12 and clang 14 with every option that takes a value (strace for paths touched).
    [['-c', '-fcompare-debug=-fplugin=/tmp/x.so'], 'option -fcompare-debug=-fplugin=/tmp/x.so is not allowed: it passes options to a second compile, past this gate'],
    [['-c', '-time=/tmp/times'], 'option -time=/tmp/times is not allowed: it writes files outside the job dir'],
    [['-c', '-ftest-coverage', '-fprofile-note=/tmp/n.gcno'], 'option -fprofile-note=/tmp/n.gcno is not allowed: it writes files outside the job dir'],
    [['-c', '-fproc-stat-report=/tmp/r'], 'option -fproc-stat-report=/tmp/r is not allowed: it writes files outside the job dir'],
    [['-c', '-serialize-diagnostics', '/tmp/d'], 'option -serialize-diagnostics is not allowed: it writes files outside the job dir'],
    [['-c', '-gen-cdb-fragment-path', '/tmp/cdb'], 'option -gen-cdb-fragment-path is not allowed: it writes files outside the job dir'],
    [['-c', '-dependency-file', '/tmp/d'], 'option -dependency-file is not allowed: it writes a dependency file, which sshcc makes on the client'],
    [['-c', '-cxx-isystem', '/opt/inc'], 'option -cxx-isystem is not allowed: it reads files outside the job dir'],
    [['-c', '-fthinlto-index=/etc/x'], 'option -fthinlto-index=/etc/x is not allowed: it reads files outside the job dir'],
    [['-c', '-fbuild-session-file=/etc/x'], 'option -fbuild-session-file=/etc/x is not allowed: it reads files outside the job dir'],
    [['-c', '-fuse-ld=/bin/sh'], 'option -fuse-ld=/bin/sh is not allowed: it is for linking, which sshcc never runs remotely'],
    [['-c', '-print-file-name=/etc/shadow'], 'option -print-file-name=/etc/shadow is not allowed: it prints facts about the volunteer instead of compiling'],
    [['-c', '-foffload=nvptx-none=-fplugin=x.so'], 'option -foffload=nvptx-none=-fplugin=x.so is not allowed: it passes options past the driver to a tool it runs'],
    [['-c', '--target=../../tmp/x'], 'option --target=../../tmp/x is not allowed: it names a path'],
    [['-c', '-target', '/tmp/x'], 'option -target is not allowed: it names a path'],
    [['-c', '--target', 'x86_64-linux-gnu'], "option --target is not on the server's list of long options"],
    // Without -c or -S the driver links (clang runs -fuse-ld=PATH, whatever it is).
    [['-O2'], 'the arguments hold neither -c nor -S: the compiler would link'],
    [['-D', '-c', '-O2'], 'the arguments hold neither -c nor -S: the compiler would link'],
  ])('refuses %j', (args, reason) => {
    expect(reasonFor({ args })).toBe(reason);
  });

  it.each<[Partial<JobRequest>, string]>([
    [{ output: '../foo.o' }, 'file name "../foo.o" is not a plain name inside the job dir'],
    [{ output: 'sub/foo.o' }, 'file name "sub/foo.o" is not a plain name inside the job dir'],
    [{ output: '..' }, 'file name ".." is not a plain name inside the job dir'],
    [{ input: '/etc/passwd' }, 'file name "/etc/passwd" is not a plain name inside the job dir'],
    [{ input: '-fplugin=x.so' }, 'file name "-fplugin=x.so" is not a plain name inside the job dir'],
    [{ input: '@foo.i' }, 'file name "@foo.i" is not a plain name inside the job dir'],
    [{ extraOutputs: ['foo.dwo', 'x/../../y'] }, 'file name "x/../../y" is not a plain name inside the job dir'],
    [{ output: 'foo.i' }, 'input and output names must all differ'],
    [{ compiler: 'rm' }, 'compiler "rm" is not allowed on this server'],
    [{ compiler: '/usr/bin/gcc' }, 'compiler "/usr/bin/gcc" is not allowed on this server'],
    [{ cwd: 'relative/dir' }, 'cwd must be an absolute path'],
  ])('refuses %j', (change, reason) => {
    expect(reasonFor(change)).toBe(reason);
  });
});
