// Every expectation here was observed with gcc 12 and clang 14 (they agree).
import {
  defaultDependencyFile,
  defaultDependencyTarget,
  inferredOutput,
  replaceSuffix,
  splitDwarfFile,
} from '@sshcc/core';

describe('replaceSuffix (gcc %.SUFFIX)', () => {
  it.each([
    ['obj/foo.o', 'obj/foo.d'],
    ['foo', 'foo.d'],
    ['obj.dir/foo', 'obj.dir/foo.d'],
    ['foo.bar.o', 'foo.bar.d'],
    ['obj/.foo.o', 'obj/.foo.d'],
    ['obj/.foo', 'obj/.d'],
    ['obj/foo.', 'obj/foo.d'],
    ['obj/foo.obj', 'obj/foo.d'],
    ['x.dir/../obj/foo.o', 'x.dir/../obj/foo.d'],
  ])('%s → %s', (file, expected) => {
    expect(replaceSuffix(file, '.d')).toBe(expected);
  });
});

describe('names a compile picks by itself', () => {
  it('puts an inferred output in the cwd', () => {
    expect(inferredOutput('src/foo.c', 'object')).toBe('foo.o');
    expect(inferredOutput('/abs/src/foo.cpp', 'assembly')).toBe('foo.s');
    expect(inferredOutput('src/.hid.c', 'object')).toBe('.hid.o');
    expect(inferredOutput('src/foo.tar.c', 'object')).toBe('foo.tar.o');
    expect(inferredOutput('src/noext', 'object')).toBe('noext.o');
    expect(inferredOutput('foo.c', 'llvm-bitcode')).toBe('foo.bc');
    expect(inferredOutput('foo.c', 'llvm-ir')).toBe('foo.ll');
  });

  it('names the .d file after -o, else after the input', () => {
    expect(defaultDependencyFile('obj/sub/foo.o', 'src/foo.c')).toBe('obj/sub/foo.d');
    expect(defaultDependencyFile(undefined, 'src/foo.c')).toBe('foo.d');
    expect(defaultDependencyTarget('src/foo.c')).toBe('foo.o');
    expect(defaultDependencyTarget('src/a$b.c')).toBe('a$b.o');
  });

  it('names the .dwo after the output', () => {
    expect(splitDwarfFile('obj/foo.o')).toBe('obj/foo.dwo');
    expect(splitDwarfFile('obj/foo')).toBe('obj/foo.dwo');
    expect(splitDwarfFile('obj/foo.bar.o')).toBe('obj/foo.bar.dwo');
  });
});
