// analyzeArgs on command lines as real build systems write them (argv after the shell's quoting).
// Remote rows spell out both derived argv lists, joined by spaces; `pp` includes argv[0].

import * as path from 'node:path';
import { analyzeArgs, type AnalyzeContext, type Lang, type LocalReason } from '@sshcc/core';

const CWD = '/w';

type Expected =
  | { readonly local: LocalReason }
  | {
      readonly input: string;
      readonly output: string;
      readonly pp: string | null;
      readonly cc: string;
      readonly lang?: Lang;
      readonly remoteLang?: Lang;
      readonly extra?: readonly string[];
    };

const KERNEL_FLAGS =
  '-nostdinc -isystem /usr/lib/gcc/x86_64-linux-gnu/12/include -I./arch/x86/include -I./include -include ./include/linux/kconfig.h -D__KERNEL__ -fmacro-prefix-map=./= -Wall -Wundef -std=gnu11 -mno-sse -mno-red-zone -mcmodel=kernel -O2 -fno-stack-protector';
const KERNEL_CC = '-fmacro-prefix-map=./= -Wall -Wundef -std=gnu11 -mno-sse -mno-red-zone -mcmodel=kernel -O2 -fno-stack-protector';

const ROWS: ReadonlyArray<readonly [string, Expected]> = [
  // autotools / libtool
  [
    'gcc -DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.lo -MD -MP -MF .deps/foo.Tpo -c foo.c  -fPIC -DPIC -o .libs/foo.o',
    {
      input: 'foo.c',
      output: '.libs/foo.o',
      pp: 'gcc -DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.lo -MD -MP -MF .deps/foo.Tpo -fPIC -DPIC -E -fdirectives-only foo.c',
      cc: '-c -g -O2 -fPIC -fdirectives-only',
      lang: 'c',
      remoteLang: 'cpp-output',
    },
  ],
  [
    'gcc -DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.lo -MD -MP -MF .deps/foo.Tpo -c foo.c -o foo.o',
    { input: 'foo.c', output: 'foo.o', pp: 'gcc -DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.lo -MD -MP -MF .deps/foo.Tpo -E -fdirectives-only foo.c', cc: '-c -g -O2 -fdirectives-only' },
  ],
  [
    'gcc -DHAVE_CONFIG_H -I. -I../lib -g -O2 -MT main.o -MD -MP -MF .deps/main.Tpo -c -o main.o main.c',
    { input: 'main.c', output: 'main.o', pp: 'gcc -DHAVE_CONFIG_H -I. -I../lib -g -O2 -MT main.o -MD -MP -MF .deps/main.Tpo -E -fdirectives-only main.c', cc: '-c -g -O2 -fdirectives-only' },
  ],
  [
    'gcc -DHAVE_CONFIG_H -I. -g -O2 -MT src/util.o -MD -MP -MF src/.deps/util.Tpo -c -o src/util.o src/util.c',
    { input: 'src/util.c', output: 'src/util.o', pp: 'gcc -DHAVE_CONFIG_H -I. -g -O2 -MT src/util.o -MD -MP -MF src/.deps/util.Tpo -E -fdirectives-only src/util.c', cc: '-c -g -O2 -fdirectives-only' },
  ],
  ['gcc -c -g -O2 conftest.c', { input: 'conftest.c', output: 'conftest.o', pp: 'gcc -g -O2 -E -fdirectives-only conftest.c', cc: '-c -g -O2 -fdirectives-only' }],
  ['gcc -c -g -O2 -Werror conftest.c', { input: 'conftest.c', output: 'conftest.o', pp: 'gcc -g -O2 -Werror -E -fdirectives-only conftest.c', cc: '-c -g -O2 -Werror -fdirectives-only' }],
  ['gcc -o conftest -g -O2 conftest.c -lm', { local: 'link' }],
  ['gcc -E conftest.c', { local: 'preprocess-only' }],
  ['gcc --version', { local: 'info-only' }],
  ['gcc -v', { local: 'info-only' }],
  ['gcc -V', { local: 'no-input' }],
  ['gcc -print-multi-os-directory', { local: 'info-only' }],
  ['gcc -dumpversion', { local: 'info-only' }],
  ['gcc -dumpmachine', { local: 'info-only' }],
  ['gcc -c conftest.c -o /dev/null', { local: 'device-file' }],
  ['libtool-wrapped/gcc -c -x c /dev/stdin -o x.o', { local: 'device-file' }],
  // CMake (Makefile and Ninja generators)
  [
    '/usr/bin/c++ -DFOO -I/src/include -O3 -DNDEBUG -std=gnu++17 -MD -MT CMakeFiles/x.dir/a.cpp.o -MF CMakeFiles/x.dir/a.cpp.o.d -o CMakeFiles/x.dir/a.cpp.o -c /src/a.cpp',
    {
      input: '/src/a.cpp',
      output: 'CMakeFiles/x.dir/a.cpp.o',
      pp: '/usr/bin/c++ -DFOO -I/src/include -O3 -DNDEBUG -std=gnu++17 -MD -MT CMakeFiles/x.dir/a.cpp.o -MF CMakeFiles/x.dir/a.cpp.o.d -E -fdirectives-only /src/a.cpp',
      cc: '-c -O3 -std=gnu++17 -fdirectives-only',
      lang: 'c++',
      remoteLang: 'c++-cpp-output',
    },
  ],
  [
    '/usr/bin/cc -DBAR=1 -I/src/inc -isystem /opt/include -g -fPIC -std=gnu11 -MD -MT lib/CMakeFiles/bar.dir/b.c.o -MF lib/CMakeFiles/bar.dir/b.c.o.d -o lib/CMakeFiles/bar.dir/b.c.o -c /src/lib/b.c',
    {
      input: '/src/lib/b.c',
      output: 'lib/CMakeFiles/bar.dir/b.c.o',
      pp: '/usr/bin/cc -DBAR=1 -I/src/inc -isystem /opt/include -g -fPIC -std=gnu11 -MD -MT lib/CMakeFiles/bar.dir/b.c.o -MF lib/CMakeFiles/bar.dir/b.c.o.d -E -fdirectives-only /src/lib/b.c',
      cc: '-c -g -fPIC -std=gnu11 -fdirectives-only',
    },
  ],
  [
    '/usr/bin/c++ -DFOO -I/src/include -O2 -g -DNDEBUG -o CMakeFiles/app.dir/main.cpp.o -c /src/main.cpp',
    { input: '/src/main.cpp', output: 'CMakeFiles/app.dir/main.cpp.o', pp: '/usr/bin/c++ -DFOO -I/src/include -O2 -g -DNDEBUG -E -fdirectives-only /src/main.cpp', cc: '-c -O2 -g -fdirectives-only' },
  ],
  ['/usr/bin/c++ -O3 -DNDEBUG CMakeFiles/x.dir/a.cpp.o -o x  -lpthread', { local: 'link' }],
  [
    '/usr/bin/clang++ -DFOO -I/src/include -O2 -g -std=c++20 -MD -MT CMakeFiles/x.dir/a.cpp.o -MF CMakeFiles/x.dir/a.cpp.o.d -o CMakeFiles/x.dir/a.cpp.o -c /src/a.cpp',
    {
      input: '/src/a.cpp',
      output: 'CMakeFiles/x.dir/a.cpp.o',
      pp: '/usr/bin/clang++ -DFOO -I/src/include -O2 -g -std=c++20 -MD -MT CMakeFiles/x.dir/a.cpp.o -MF CMakeFiles/x.dir/a.cpp.o.d -E -frewrite-includes /src/a.cpp',
      cc: '-c -DFOO -O2 -g -std=c++20 -Xclang -main-file-name -Xclang /src/a.cpp',
      lang: 'c++',
      remoteLang: 'c++',
    },
  ],
  [
    '/usr/bin/c++ -O2 -Winvalid-pch -include /b/CMakeFiles/x.dir/cmake_pch.hxx -o CMakeFiles/x.dir/a.cpp.o -c /src/a.cpp',
    {
      input: '/src/a.cpp',
      output: 'CMakeFiles/x.dir/a.cpp.o',
      pp: '/usr/bin/c++ -O2 -Winvalid-pch -include /b/CMakeFiles/x.dir/cmake_pch.hxx -E -fdirectives-only /src/a.cpp',
      cc: '-c -O2 -Winvalid-pch -fdirectives-only',
    },
  ],
  [
    '/usr/bin/c++ -O2 -x c++-header -include /b/CMakeFiles/x.dir/cmake_pch.hxx -o CMakeFiles/x.dir/cmake_pch.hxx.gch -c /b/CMakeFiles/x.dir/cmake_pch.hxx.cxx',
    { local: 'unsupported-lang' },
  ],
  [
    '/usr/bin/clang++ -O2 -Xclang -include-pch -Xclang /b/cmake_pch.hxx.pch -Xclang -include -Xclang /b/cmake_pch.hxx -o a.o -c /src/a.cpp',
    { local: 'reads-files' },
  ],
  [
    '/usr/bin/clang++ -O2 -Xclang -include -Xclang /b/cmake_pch.hxx -Xclang -fno-pch-timestamp -o a.o -c /src/a.cpp',
    {
      input: '/src/a.cpp',
      output: 'a.o',
      pp: '/usr/bin/clang++ -O2 -Xclang -include -Xclang /b/cmake_pch.hxx -Xclang -fno-pch-timestamp -E -frewrite-includes /src/a.cpp',
      cc: '-c -O2 -Xclang -fno-pch-timestamp',
    },
  ],
  ['/usr/bin/ccache /usr/bin/c++ -O2 -o a.o -c /src/a.cpp', { local: 'unknown-compiler' }],
  [
    '/usr/bin/cc -o CMakeFiles/cmTC_1.dir/CMakeCCompilerABI.c.o -c /usr/share/cmake-3.25/Modules/CMakeCCompilerABI.c',
    {
      input: '/usr/share/cmake-3.25/Modules/CMakeCCompilerABI.c',
      output: 'CMakeFiles/cmTC_1.dir/CMakeCCompilerABI.c.o',
      pp: '/usr/bin/cc -E -fdirectives-only /usr/share/cmake-3.25/Modules/CMakeCCompilerABI.c',
      cc: '-c -fdirectives-only',
    },
  ],
  ['/usr/bin/cc -v -o CMakeFiles/cmTC_2.dir/CMakeCCompilerABI.c.o -c /usr/share/cmake-3.25/Modules/CMakeCCompilerABI.c', { local: 'info-only' }],
  // Linux kernel (kbuild)
  [
    `gcc -Wp,-MMD,drivers/foo/.bar.o.d ${KERNEL_FLAGS} -DKBUILD_MODFILE="drivers/foo/bar" -DKBUILD_BASENAME="bar" -DKBUILD_MODNAME="bar" -c -o drivers/foo/bar.o drivers/foo/bar.c`,
    {
      input: 'drivers/foo/bar.c',
      output: 'drivers/foo/bar.o',
      pp: `gcc -Wp,-MMD,drivers/foo/.bar.o.d ${KERNEL_FLAGS} -DKBUILD_MODFILE="drivers/foo/bar" -DKBUILD_BASENAME="bar" -DKBUILD_MODNAME="bar" -E -fdirectives-only drivers/foo/bar.c`,
      cc: `-c ${KERNEL_CC} -fdirectives-only`,
    },
  ],
  [
    `gcc -Wp,-MD,arch/x86/entry/vdso/.vclock_gettime.o.d ${KERNEL_FLAGS} -fPIC -c -o arch/x86/entry/vdso/vclock_gettime.o arch/x86/entry/vdso/vclock_gettime.c`,
    {
      input: 'arch/x86/entry/vdso/vclock_gettime.c',
      output: 'arch/x86/entry/vdso/vclock_gettime.o',
      pp: `gcc -Wp,-MD,arch/x86/entry/vdso/.vclock_gettime.o.d ${KERNEL_FLAGS} -fPIC -E -fdirectives-only arch/x86/entry/vdso/vclock_gettime.c`,
      cc: `-c ${KERNEL_CC} -fPIC -fdirectives-only`,
    },
  ],
  [`gcc -Wp,-MMD,arch/x86/entry/.entry_64.o.d ${KERNEL_FLAGS} -D__ASSEMBLY__ -c -o arch/x86/entry/entry_64.o arch/x86/entry/entry_64.S`, { local: 'unsupported-lang' }],
  [`gcc -E -Wp,-MMD,arch/x86/kernel/.vmlinux.lds.d ${KERNEL_FLAGS} -P -Ux86 -D__ASSEMBLY__ -DLINKER_SCRIPT -o arch/x86/kernel/vmlinux.lds arch/x86/kernel/vmlinux.lds.S`, { local: 'preprocess-only' }],
  [`gcc -Wp,-MMD,kernel/.fork.o.d ${KERNEL_FLAGS} -fplugin=./scripts/gcc-plugins/randomize_layout_plugin.so -c -o kernel/fork.o kernel/fork.c`, { local: 'plugin' }],
  ['gcc -print-file-name=include', { local: 'info-only' }],
  [
    `clang -Wp,-MMD,fs/.open.o.d ${KERNEL_FLAGS} -c -o fs/open.o fs/open.c`,
    {
      input: 'fs/open.c',
      output: 'fs/open.o',
      pp: `clang -Wp,-MMD,fs/.open.o.d ${KERNEL_FLAGS} -E -frewrite-includes -MQ fs/open.o fs/open.c`,
      cc: `-c -D__KERNEL__ ${KERNEL_CC}`,
    },
  ],
  // meson / ninja
  [
    'cc -Ilibfoo.so.p -I. -I.. -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -std=c99 -O2 -g -fPIC -MD -MQ libfoo.so.p/foo.c.o -MF libfoo.so.p/foo.c.o.d -o libfoo.so.p/foo.c.o -c ../foo.c',
    {
      input: '../foo.c',
      output: 'libfoo.so.p/foo.c.o',
      pp: 'cc -Ilibfoo.so.p -I. -I.. -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -std=c99 -O2 -g -fPIC -MD -MQ libfoo.so.p/foo.c.o -MF libfoo.so.p/foo.c.o.d -E -fdirectives-only ../foo.c',
      cc: '-c -fdiagnostics-color=always -Wall -Winvalid-pch -std=c99 -O2 -g -fPIC -fdirectives-only',
    },
  ],
  [
    'c++ -Iprog.p -I. -I.. -fdiagnostics-color=always -D_GLIBCXX_ASSERTIONS=1 -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -Wnon-virtual-dtor -std=c++17 -O0 -g -MD -MQ prog.p/main.cpp.o -MF prog.p/main.cpp.o.d -o prog.p/main.cpp.o -c ../main.cpp',
    {
      input: '../main.cpp',
      output: 'prog.p/main.cpp.o',
      pp: 'c++ -Iprog.p -I. -I.. -fdiagnostics-color=always -D_GLIBCXX_ASSERTIONS=1 -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -Wnon-virtual-dtor -std=c++17 -O0 -g -MD -MQ prog.p/main.cpp.o -MF prog.p/main.cpp.o.d -E -fdirectives-only ../main.cpp',
      cc: '-c -fdiagnostics-color=always -Wall -Winvalid-pch -Wnon-virtual-dtor -std=c++17 -O0 -g -fdirectives-only',
    },
  ],
  ['c++ -o prog prog.p/main.cpp.o -Wl,--as-needed -Wl,--no-undefined -Wl,--start-group libfoo.so -Wl,--end-group', { local: 'link' }],
  [
    'clang -Ilib.p -I. -I.. -fcolor-diagnostics -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -O3 -MD -MQ lib.p/x.c.o -MF lib.p/x.c.o.d -o lib.p/x.c.o -c ../x.c',
    {
      input: '../x.c',
      output: 'lib.p/x.c.o',
      pp: 'clang -Ilib.p -I. -I.. -fcolor-diagnostics -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -O3 -MD -MQ lib.p/x.c.o -MF lib.p/x.c.o.d -E -frewrite-includes ../x.c',
      cc: '-c -fcolor-diagnostics -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -O3',
    },
  ],
  ['cc -Ia.p -I. --coverage -O0 -g -MD -MQ a.p/a.c.o -MF a.p/a.c.o.d -o a.p/a.c.o -c ../a.c', { local: 'coverage' }],
  [
    'cc -Ia.p -fsanitize=address -fno-omit-frame-pointer -O1 -MD -MQ a.p/a.c.o -MF a.p/a.c.o.d -o a.p/a.c.o -c ../a.c',
    {
      input: '../a.c',
      output: 'a.p/a.c.o',
      pp: 'cc -Ia.p -fsanitize=address -fno-omit-frame-pointer -O1 -MD -MQ a.p/a.c.o -MF a.p/a.c.o.d -E -fdirectives-only ../a.c',
      cc: '-c -fsanitize=address -fno-omit-frame-pointer -O1 -fdirectives-only',
    },
  ],
  ['cc -Ia.p -fprofile-generate -O2 -MD -MQ a.p/a.c.o -MF a.p/a.c.o.d -o a.p/a.c.o -c ../a.c', { local: 'profile' }],
  ['cc -Ia.p -fprofile-use -fprofile-correction -O2 -o a.p/a.c.o -c ../a.c', { local: 'profile' }],
  [
    'c++ -Ia.p -flto=auto -ffat-lto-objects -O2 -MD -MQ a.p/a.cc.o -MF a.p/a.cc.o.d -o a.p/a.cc.o -c ../a.cc',
    { input: '../a.cc', output: 'a.p/a.cc.o', pp: 'c++ -Ia.p -flto=auto -ffat-lto-objects -O2 -MD -MQ a.p/a.cc.o -MF a.p/a.cc.o.d -E -fdirectives-only ../a.cc', cc: '-c -flto=auto -ffat-lto-objects -O2 -fdirectives-only' },
  ],
  // distribution flags
  [
    'gcc -O2 -flto=auto -ffat-lto-objects -fexceptions -g -grecord-gcc-switches -pipe -Wall -Werror=format-security -Wp,-D_FORTIFY_SOURCE=2 -Wp,-D_GLIBCXX_ASSERTIONS -specs=/usr/lib/rpm/redhat/redhat-hardened-cc1 -fstack-protector-strong -m64 -mtune=generic -fcf-protection -c foo.c',
    { local: 'specs' },
  ],
  [
    'gcc -g -O2 -ffile-prefix-map=/build/pkg-1.0=. -fstack-protector-strong -Wformat -Werror=format-security -Wdate-time -D_FORTIFY_SOURCE=2 -c foo.c -o foo.o',
    {
      input: 'foo.c',
      output: 'foo.o',
      pp: 'gcc -g -O2 -ffile-prefix-map=/build/pkg-1.0=. -fstack-protector-strong -Wformat -Werror=format-security -Wdate-time -D_FORTIFY_SOURCE=2 -E -fdirectives-only foo.c',
      cc: '-c -g -O2 -ffile-prefix-map=/build/pkg-1.0=. -fstack-protector-strong -Wformat -Werror=format-security -Wdate-time -fdirectives-only',
    },
  ],
  [
    'clang -O2 -g -Wp,-D_FORTIFY_SOURCE=2 -fstack-protector-strong -c foo.c -o foo.o',
    { input: 'foo.c', output: 'foo.o', pp: 'clang -O2 -g -Wp,-D_FORTIFY_SOURCE=2 -fstack-protector-strong -E -frewrite-includes foo.c', cc: '-c -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong' },
  ],
  [
    'clang -c -Wp,-DA=1,-UB foo.c',
    { input: 'foo.c', output: 'foo.o', pp: 'clang -Wp,-DA=1,-UB -E -frewrite-includes foo.c', cc: '-c -DA=1 -UB' },
  ],
  // other -Wp options reach clang's cc1 in the compile step too, and volunteers refuse what they can't vet
  ['clang -c -Wp,-DA=1,-UB -Wp,-fno-ms-compat foo.c', { local: 'preprocessor-option' }],
  // gcc refuses -fdirectives-only beside -Wunused-macros (cJSON's CMake flags), and plain -E changes -O0 code
  ['cc -std=c89 -Wall -Wunused-macros -fPIC -MD -MT x.o -MF x.o.d -o x.o -c x.c', { local: 'unused-macros' }],
  ['cc -Werror=unused-macros -c x.c', { local: 'unused-macros' }],
  ['cc -Wunused-macros -Wno-unused-macros -c x.c', { input: 'x.c', output: 'x.o', pp: 'cc -Wunused-macros -Wno-unused-macros -E -fdirectives-only x.c', cc: '-c -Wunused-macros -Wno-unused-macros -fdirectives-only' }],
  ['clang -Wunused-macros -c x.c', { input: 'x.c', output: 'x.o', pp: 'clang -Wunused-macros -E -frewrite-includes x.c', cc: '-c -Wunused-macros' }],
  // hand-written makefiles and plain commands
  ['cc -O2 -c hello.c', { input: 'hello.c', output: 'hello.o', pp: 'cc -O2 -E -fdirectives-only hello.c', cc: '-c -O2 -fdirectives-only' }],
  ['cc -c hello.c -o hello.o -Wall -pthread', { input: 'hello.c', output: 'hello.o', pp: 'cc -Wall -pthread -E -fdirectives-only hello.c', cc: '-c -Wall -pthread -fdirectives-only' }],
  ['gcc -c -ohello.o hello.c', { input: 'hello.c', output: 'hello.o', pp: 'gcc -E -fdirectives-only hello.c', cc: '-c -fdirectives-only' }],
  ['gcc -c hello.c -o a.o -o b.o', { input: 'hello.c', output: 'b.o', pp: 'gcc -E -fdirectives-only hello.c', cc: '-c -fdirectives-only' }],
  ['gcc -std=c99 -pedantic -c src/x.c', { input: 'src/x.c', output: 'x.o', pp: 'gcc -std=c99 -pedantic -E -fdirectives-only src/x.c', cc: '-c -std=c99 -pedantic -fdirectives-only' }],
  ['gcc -c -O2 foo.c --param max-inline-insns-single=100', { input: 'foo.c', output: 'foo.o', pp: 'gcc -O2 --param max-inline-insns-single=100 -E -fdirectives-only foo.c', cc: '-c -O2 --param max-inline-insns-single=100 -fdirectives-only' }],
  ['gcc -c foo.c -lm -L/opt/lib -Wl,-z,now', { input: 'foo.c', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.c', cc: '-c -fdirectives-only' }],
  ['gcc -c -Wa,--noexecstack foo.c', { input: 'foo.c', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.c', cc: '-c -Wa,--noexecstack -fdirectives-only' }],
  ['gcc -c -P -C foo.c', { input: 'foo.c', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.c', cc: '-c -fdirectives-only' }],
  [
    'gcc -c -DX=1 -UY -undef -nostdinc -iquote q -idirafter d -imacros m.h -iprefix p/ -iwithprefix w -isysroot s -H foo.c',
    { input: 'foo.c', output: 'foo.o', pp: 'gcc -DX=1 -UY -undef -nostdinc -iquote q -idirafter d -imacros m.h -iprefix p/ -iwithprefix w -isysroot s -H -E -fdirectives-only foo.c', cc: '-c -fdirectives-only' },
  ],
  ['gcc -c -MD foo.c -o obj/foo.o', { input: 'foo.c', output: 'obj/foo.o', pp: 'gcc -MD -E -fdirectives-only -MF obj/foo.d -MQ obj/foo.o foo.c', cc: '-c -fdirectives-only' }],
  ['gcc -c -MMD src/foo.c', { input: 'src/foo.c', output: 'foo.o', pp: 'gcc -MMD -E -fdirectives-only -MF foo.d -MQ foo.o src/foo.c', cc: '-c -fdirectives-only' }],
  ['gcc -c -MMD -MF dep.d foo.c -o obj/foo.o', { input: 'foo.c', output: 'obj/foo.o', pp: 'gcc -MMD -MF dep.d -E -fdirectives-only -MQ obj/foo.o foo.c', cc: '-c -fdirectives-only' }],
  ['gcc -c -MD -MP -MT t -MFdep.d foo.c -o obj/foo.o', { input: 'foo.c', output: 'obj/foo.o', pp: 'gcc -MD -MP -MT t -MFdep.d -E -fdirectives-only foo.c', cc: '-c -fdirectives-only' }],
  ['gcc -c -S -MD foo.c', { input: 'foo.c', output: 'foo.s', pp: 'gcc -MD -E -fdirectives-only -MF foo.d -MQ foo.o foo.c', cc: '-S -fdirectives-only' }],
  ['clang -c -Wp,-MD,obj/.foo.o.d foo.c -o obj/foo.o', { input: 'foo.c', output: 'obj/foo.o', pp: 'clang -Wp,-MD,obj/.foo.o.d -E -frewrite-includes -MQ obj/foo.o foo.c', cc: '-c' }],
  ['clang -c -MD foo.c -o obj/foo.o', { input: 'foo.c', output: 'obj/foo.o', pp: 'clang -MD -E -frewrite-includes -MF obj/foo.d -MQ obj/foo.o foo.c', cc: '-c' }],
  ['gcc hello.c', { local: 'link' }],
  ['gcc -o hello hello.c', { local: 'link' }],
  ['gcc -c a.c b.c', { local: 'multiple-inputs' }],
  ['gcc -c foo.c bar.o', { local: 'multiple-inputs' }],
  ['gcc -c libfoo.a', { local: 'no-input' }],
  ['gcc -c', { local: 'no-input' }],
  ['gcc', { local: 'no-input' }],
  ['gcc -c foo.c -o', { local: 'malformed' }],
  ['gcc -c -x c -', { local: 'stdin-input' }],
  ['gcc -S -o - foo.c', { local: 'device-file' }],
  ['gcc -c foo.c -MD -MF /dev/stdout', { local: 'device-file' }],
  ['gcc -c foo.s', { local: 'unsupported-lang' }],
  ['gcc -c foo.S -o foo.o', { local: 'unsupported-lang' }],
  ['gcc -c foo.h', { local: 'unsupported-lang' }],
  ['gcc -c foo.f90', { local: 'unsupported-lang' }],
  ['gcc -c -x assembler-with-cpp foo.asm', { local: 'unsupported-lang' }],
  // languages
  ['gcc -c -xc++ foo.inc -o foo.o', { input: 'foo.inc', output: 'foo.o', pp: 'gcc -E -fdirectives-only -x c++ foo.inc', cc: '-c -fdirectives-only', lang: 'c++', remoteLang: 'c++-cpp-output' }],
  ['gcc -x c++ -x none -c foo.c', { input: 'foo.c', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.c', cc: '-c -fdirectives-only', lang: 'c', remoteLang: 'cpp-output' }],
  ['g++ -c foo.c', { input: 'foo.c', output: 'foo.o', pp: 'g++ -E -fdirectives-only foo.c', cc: '-c -fdirectives-only', lang: 'c++', remoteLang: 'c++-cpp-output' }],
  ['g++ -x c -c foo.c', { input: 'foo.c', output: 'foo.o', pp: 'g++ -E -fdirectives-only -x c foo.c', cc: '-c -fdirectives-only', lang: 'c', remoteLang: 'cpp-output' }],
  ['gcc -c foo.C', { input: 'foo.C', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.C', cc: '-c -fdirectives-only', lang: 'c++', remoteLang: 'c++-cpp-output' }],
  ['gcc -c foo.c++ -O1', { input: 'foo.c++', output: 'foo.o', pp: 'gcc -O1 -E -fdirectives-only foo.c++', cc: '-c -O1 -fdirectives-only', lang: 'c++' }],
  ['gcc -c foo.cxx', { input: 'foo.cxx', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.cxx', cc: '-c -fdirectives-only', lang: 'c++' }],
  ['gcc -c foo.CPP', { input: 'foo.CPP', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.CPP', cc: '-c -fdirectives-only', lang: 'c++' }],
  ['gcc -O2 -I. -c foo.i', { input: 'foo.i', output: 'foo.o', pp: null, cc: '-c -O2', lang: 'cpp-output', remoteLang: 'cpp-output' }],
  ['g++ -c foo.ii -O2 -MD', { input: 'foo.ii', output: 'foo.o', pp: null, cc: '-c -O2', lang: 'c++-cpp-output', remoteLang: 'c++-cpp-output' }],
  ['g++ -c foo.i', { input: 'foo.i', output: 'foo.o', pp: null, cc: '-c', lang: 'c++-cpp-output', remoteLang: 'c++-cpp-output' }],
  ['clang -c foo.i -O2', { input: 'foo.i', output: 'foo.o', pp: null, cc: '-c -O2', lang: 'cpp-output', remoteLang: 'cpp-output' }],
  ['gcc -c foo.m', { input: 'foo.m', output: 'foo.o', pp: 'gcc -E -fdirectives-only foo.m', cc: '-c -fdirectives-only', lang: 'objective-c', remoteLang: 'objective-c-cpp-output' }],
  ['clang -c foo.mm -fobjc-arc', { input: 'foo.mm', output: 'foo.o', pp: 'clang -fobjc-arc -E -frewrite-includes foo.mm', cc: '-c -fobjc-arc', lang: 'objective-c++', remoteLang: 'objective-c++' }],
  ['gcc -S foo.c', { input: 'foo.c', output: 'foo.s', pp: 'gcc -E -fdirectives-only foo.c', cc: '-S -fdirectives-only' }],
  ['gcc -c -S foo.c -o foo.s', { input: 'foo.c', output: 'foo.s', pp: 'gcc -E -fdirectives-only foo.c', cc: '-S -fdirectives-only' }],
  ['clang -c -emit-llvm foo.c', { input: 'foo.c', output: 'foo.bc', pp: 'clang -emit-llvm -E -frewrite-includes foo.c', cc: '-c -emit-llvm' }],
  ['clang -c -g src/foo.c -o obj/foo.o', { input: 'src/foo.c', output: 'obj/foo.o', pp: 'clang -g -E -frewrite-includes src/foo.c', cc: '-c -g -Xclang -main-file-name -Xclang src/foo.c' }],
  ['clang -c -g ./foo.c', { input: 'foo.c', output: 'foo.o', pp: 'clang -g -E -frewrite-includes ./foo.c', cc: '-c -g' }],
  ['clang -c -g -g0 src/foo.c', { input: 'src/foo.c', output: 'foo.o', pp: 'clang -g -g0 -E -frewrite-includes src/foo.c', cc: '-c -g -g0' }],
  // split DWARF
  // gcc records the .dwo path as -o spells it, which a volunteer's plain names in its job dir cannot match
  ['gcc -c -g -gsplit-dwarf foo.c -o obj/foo.o', { local: 'side-files' }],
  ['gcc -c -g -gsplit-dwarf foo.c -o foo.o', { input: 'foo.c', output: 'foo.o', pp: 'gcc -g -gsplit-dwarf -E -fdirectives-only foo.c', cc: '-c -g -gsplit-dwarf -fdirectives-only', extra: ['foo.dwo'] }],
  ['gcc -c -g -gsplit-dwarf src/foo.c', { input: 'src/foo.c', output: 'foo.o', pp: 'gcc -g -gsplit-dwarf -E -fdirectives-only src/foo.c', cc: '-c -g -gsplit-dwarf -fdirectives-only', extra: ['foo.dwo'] }],
  ['gcc -S -g -gsplit-dwarf foo.c', { input: 'foo.c', output: 'foo.s', pp: 'gcc -g -gsplit-dwarf -E -fdirectives-only foo.c', cc: '-S -g -gsplit-dwarf -fdirectives-only', extra: [] }],
  [
    'clang -c -g -gsplit-dwarf foo.c -o obj/foo.o',
    { input: 'foo.c', output: 'obj/foo.o', pp: 'clang -g -gsplit-dwarf -E -frewrite-includes foo.c', cc: '-c -g -gsplit-dwarf -Xclang -split-dwarf-file -Xclang obj/foo.dwo', extra: ['obj/foo.dwo'] },
  ],
  ['clang -c -gsplit-dwarf foo.c', { input: 'foo.c', output: 'foo.o', pp: 'clang -gsplit-dwarf -E -frewrite-includes foo.c', cc: '-c -gsplit-dwarf', extra: [] }],
  // compilers by name
  ['x86_64-linux-gnu-gcc-12 -c foo.c', { input: 'foo.c', output: 'foo.o', pp: 'x86_64-linux-gnu-gcc-12 -E -fdirectives-only foo.c', cc: '-c -fdirectives-only' }],
  ['clang-14 -c foo.c', { input: 'foo.c', output: 'foo.o', pp: 'clang-14 -E -frewrite-includes foo.c', cc: '-c' }],
  [
    'arm-none-eabi-g++ -c -mcpu=cortex-m4 -mthumb -fno-exceptions foo.cpp',
    { input: 'foo.cpp', output: 'foo.o', pp: 'arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -fno-exceptions -E -fdirectives-only foo.cpp', cc: '-c -mcpu=cortex-m4 -mthumb -fno-exceptions -fdirectives-only' },
  ],
  ['/opt/gcc/bin/gcc -c foo.c', { input: 'foo.c', output: 'foo.o', pp: '/opt/gcc/bin/gcc -E -fdirectives-only foo.c', cc: '-c -fdirectives-only' }],
  ['icc -c foo.c', { local: 'unknown-compiler' }],
  ['nvcc -c foo.cu', { local: 'unknown-compiler' }],
  ['clang --target=aarch64-linux-gnu -c foo.c', { input: 'foo.c', output: 'foo.o', pp: 'clang --target=aarch64-linux-gnu -E -frewrite-includes foo.c', cc: '-c --target=aarch64-linux-gnu' }],
  [
    'clang -target x86_64-apple-darwin -arch x86_64 -mllvm -inline-threshold=100 -c foo.c',
    { input: 'foo.c', output: 'foo.o', pp: 'clang -target x86_64-apple-darwin -arch x86_64 -mllvm -inline-threshold=100 -E -frewrite-includes foo.c', cc: '-c -target x86_64-apple-darwin -arch x86_64 -mllvm -inline-threshold=100' },
  ],
  // forced local
  ['gcc -c -march=native foo.c', { local: 'native-arch' }],
  ['gcc -c -O2 -mtune=native foo.c', { local: 'native-arch' }],
  ['clang -c -mcpu=native foo.c', { local: 'native-arch' }],
  ['gcc -c -save-temps foo.c', { local: 'save-temps' }],
  ['gcc -c -save-temps=obj foo.c -o obj/foo.o', { local: 'save-temps' }],
  ['g++ -c -frepo foo.cc', { local: 'frepo' }],
  ['gcc -c -fprofile-arcs -ftest-coverage foo.c', { local: 'profile' }],
  ['gcc -c -ftest-coverage foo.c', { local: 'coverage' }],
  ['gcc -c -fprofile-use=prof/ foo.c', { local: 'profile' }],
  ['clang -c -fprofile-instr-generate foo.c', { local: 'profile' }],
  ['gcc -c foo.c -Wa,-adhln=foo.lst', { local: 'assembler-listing' }],
  ['gcc -c foo.c -Wa,--gdwarf-5,-al', { local: 'assembler-listing' }],
  ['gcc -c foo.c -Xassembler -aln=foo.lst', { local: 'assembler-listing' }],
  ['clang -c -fmodules foo.m', { local: 'modules' }],
  ['g++ -c -std=c++20 -fmodules-ts foo.cc', { local: 'modules' }],
  ['clang -c -Xclang -load -Xclang libplug.so foo.c', { local: 'clang-plugin' }],
  ['clang -c -fsanitize=cfi -fsanitize-ignorelist=ign.txt -flto foo.c', { local: 'reads-files' }],
  ['clang -c -imacros config.h foo.c', { local: 'reads-files' }],
  ['clang -c foo.c -MJ foo.json', { local: 'side-files' }],
  ['gcc -c -fdump-tree-all foo.c', { local: 'side-files' }],
  ['gcc -c -fstack-usage foo.c', { local: 'side-files' }],
  ['gcc -c -frecord-gcc-switches foo.c', { local: 'recorded-command-line' }],
  ['gcc -c -B/opt/binutils/bin foo.c', { local: 'unknown-compiler' }],
  ['gcc -c foo.c -fsyntax-only', { local: 'syntax-only' }],
  ['gcc -fsyntax-only -Wall foo.c', { local: 'syntax-only' }],
  ['gcc -M foo.c', { local: 'deps-only' }],
  ['gcc -MM -MG foo.c', { local: 'deps-only' }],
  ['gcc -c -M foo.c', { local: 'deps-only' }],
  ['gcc -c -Wp,-M foo.c', { local: 'deps-only' }],
  ['gcc -### -c foo.c', { local: 'info-only' }],
  ['clang -print-resource-dir', { local: 'info-only' }],
  ['gcc -print-prog-name=cc1', { local: 'info-only' }],
  ['gcc --help=optimizers', { local: 'info-only' }],
];

const ctx: AnalyzeContext = { cwd: CWD, env: {} };

describe('analyzeArgs on real build lines', () => {
  it('has a large table', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(80);
  });

  it.each(ROWS)('%s', (line, expected) => {
    const analysis = analyzeArgs(line.split(/ +/), ctx);
    if ('local' in expected) {
      expect({ mode: analysis.mode, reason: analysis.mode === 'local' ? analysis.reason : undefined }).toEqual({ mode: 'local', reason: expected.local });
      return;
    }
    if (analysis.mode !== 'remote') throw new Error(`expected remote, got local: ${analysis.detail}`);
    expect({
      input: analysis.input,
      output: analysis.output,
      pp: analysis.preprocessArgv?.join(' ') ?? null,
      cc: analysis.compileArgv.join(' '),
    }).toEqual({
      input: path.resolve(CWD, expected.input),
      output: path.resolve(CWD, expected.output),
      pp: expected.pp,
      cc: expected.cc,
    });
    expect(analysis.compiler).toBe(line.split(' ')[0]);
    expect(analysis.remoteInputName).toBe(path.basename(expected.input));
    if (expected.lang) expect(analysis.lang).toBe(expected.lang);
    if (expected.remoteLang) expect(analysis.remoteLang).toBe(expected.remoteLang);
    if (expected.extra) expect(analysis.extraOutputs).toEqual(expected.extra.map((file) => path.resolve(CWD, file)));
  });
});

describe('analyzeArgs with response files', () => {
  const files: Record<string, string> = {
    '/w/build.rsp': "-c foo.c -o 'out dir/foo.o' @more.rsp",
    '/w/more.rsp': '-DNAME="a b" -O2',
  };
  const readFile = (file: string) => {
    if (!(file in files)) throw new Error(`ENOENT: ${file}`);
    return files[file];
  };

  it('expands nested @files and keeps quoted arguments whole', () => {
    const analysis = analyzeArgs(['gcc', '@build.rsp'], { ...ctx, readFile });
    if (analysis.mode !== 'remote') throw new Error(analysis.detail);
    expect(analysis.output).toBe('/w/out dir/foo.o');
    expect(analysis.preprocessArgv).toEqual(['gcc', '-DNAME=a b', '-O2', '-E', '-fdirectives-only', 'foo.c']);
    expect(analysis.compileArgv).toEqual(['-c', '-O2', '-fdirectives-only']);
  });

  it('runs locally when an @file cannot be read: gcc would take "@missing.rsp" as an input file', () => {
    expect(analyzeArgs(['gcc', '@missing.rsp', '-c', 'foo.c'], { ...ctx, readFile })).toEqual({
      mode: 'local',
      reason: 'unreadable-response-file',
      detail: '@missing.rsp: the @file cannot be read, so the compiler takes it as a file name',
    });
    expect(analyzeArgs(['gcc', '@build.rsp'], ctx)).toMatchObject({ mode: 'local', reason: 'unreadable-response-file' });
  });
});

describe('analyzeArgs: family and details', () => {
  it('takes the family from ctx when the caller knows it (cc that is clang)', () => {
    const analysis = analyzeArgs(['cc', '-DX', '-c', 'foo.c'], { ...ctx, family: 'clang' });
    expect(analysis).toMatchObject({ mode: 'remote', family: 'clang', remoteLang: 'c' });
    if (analysis.mode === 'remote') expect(analysis.preprocessArgv).toEqual(['cc', '-DX', '-E', '-frewrite-includes', 'foo.c']);
    expect(analyzeArgs(['clang', '-c', 'foo.c'], { ...ctx, family: 'gcc' })).toMatchObject({ family: 'gcc', remoteLang: 'cpp-output' });
  });

  it.each([
    ['gcc -c -march=native foo.c', '-march=native: the code would depend on the CPU of the machine that compiles it'],
    ['gcc -o app main.c', 'no -c or -S: without -c or -S the driver links, and linking always happens on this machine'],
    ['gcc -c a.c b.c', '2 source files (a.c b.c): sshcc sends one source file per command'],
    ['gcc -c foo.c x.o', '2 inputs (foo.c x.o): sshcc sends one source file per command'],
    ['gcc -c foo.s', 'foo.s (assembler): sshcc compiles only C, C++ and Objective-C remotely'],
    ['icc -c foo.c', 'icc: sshcc distributes only gcc- and clang-compatible drivers it can recognize'],
    ['gcc -c -specs=my.specs foo.c', '-specs=my.specs: the specs file is on this machine'],
    ['gcc -c -specs my.specs foo.c', '-specs my.specs: the specs file is on this machine'],
    ['gcc -c foo.c -o /dev/null', '-o /dev/null: a device or standard stream stays on this machine'],
    ['gcc -v -c foo.c', "-v: what the driver prints (its programs and search paths) must be this machine's"],
    ['gcc -c foo.c -o', '-o without its value: the command line is malformed; the compiler reports it'],
  ])('%s', (line, detail) => {
    expect(analyzeArgs(line.split(' '), ctx)).toMatchObject({ mode: 'local', detail });
  });

  it('treats an empty argv as an unknown compiler', () => {
    expect(analyzeArgs([], ctx)).toMatchObject({ mode: 'local', reason: 'unknown-compiler' });
  });
});
