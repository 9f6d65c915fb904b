import { recognizeCompiler } from '@sshcc/core';

describe('recognizeCompiler', () => {
  it.each([
    ['gcc', 'gcc', false, 'gcc'],
    ['g++', 'g++', true, 'gcc'],
    ['cc', 'cc', false, 'gcc'],
    ['c++', 'c++', true, 'gcc'],
    ['clang', 'clang', false, 'clang'],
    ['clang++', 'clang++', true, 'clang'],
    ['/usr/bin/gcc', 'gcc', false, 'gcc'],
    ['/usr/lib/llvm-14/bin/clang++', 'clang++', true, 'clang'],
    ['gcc-12', 'gcc', false, 'gcc'],
    ['g++-12.2', 'g++', true, 'gcc'],
    ['gcc12', 'gcc', false, 'gcc'],
    ['x86_64-linux-gnu-gcc-12', 'gcc', false, 'gcc'],
    ['x86_64-linux-gnu-g++', 'g++', true, 'gcc'],
    ['arm-none-eabi-g++', 'g++', true, 'gcc'],
    ['aarch64-linux-gnu-gcc', 'gcc', false, 'gcc'],
    ['x86_64-w64-mingw32-g++-posix', 'g++', true, 'gcc'],
    ['clang-14', 'clang', false, 'clang'],
    ['clang++-14', 'clang++', true, 'clang'],
    ['aarch64-linux-gnu-clang', 'clang', false, 'clang'],
    ['/opt/cross/bin/riscv64-unknown-elf-cc', 'cc', false, 'gcc'],
  ])('%s is %s (C++: %s, family %s)', (argv0, driver, cxx, family) => {
    expect(recognizeCompiler(argv0)).toEqual({ driver, cxx, family });
  });

  it.each([
    'icc',
    'icpx',
    'nvcc',
    'tcc',
    'cl',
    'clang-cl',
    'clang-cpp',
    'clang-tidy',
    'cpp',
    'gcc-ar',
    'gcc-ar-12',
    'gcc-nm',
    'cc1',
    'cc1plus',
    'ccache',
    'distcc',
    'emcc',
    'gfortran',
    '',
  ])('%j is not a driver sshcc distributes', (argv0) => {
    expect(recognizeCompiler(argv0)).toBeNull();
  });
});
