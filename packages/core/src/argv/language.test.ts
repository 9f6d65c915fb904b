import { inputKindFromPath, inputKindFromX, isPreprocessedLang, preprocessedLang, suffixOf } from '@sshcc/core';

describe('inputKindFromPath', () => {
  it.each([
    ['foo.c', 'c'],
    ['dir.v2/foo.c', 'c'],
    ['foo.i', 'cpp-output'],
    ['foo.ii', 'c++-cpp-output'],
    ['foo.cc', 'c++'],
    ['foo.cp', 'c++'],
    ['foo.cxx', 'c++'],
    ['foo.cpp', 'c++'],
    ['foo.CPP', 'c++'],
    ['foo.c++', 'c++'],
    ['foo.C', 'c++'],
    ['foo.m', 'objective-c'],
    ['foo.mi', 'objective-c-cpp-output'],
    ['foo.mm', 'objective-c++'],
    ['foo.M', 'objective-c++'],
    ['foo.mii', 'objective-c++-cpp-output'],
  ])('%s is %s source', (file, lang) => {
    expect(inputKindFromPath(file, false)).toEqual({ kind: 'source', lang });
  });

  it.each([
    ['foo.s', 'assembler'],
    ['foo.S', 'assembler-with-cpp'],
    ['foo.sx', 'assembler-with-cpp'],
    ['foo.h', 'c-header'],
    ['foo.hpp', 'c++-header'],
    ['foo.f90', 'f95'],
    ['foo.cu', 'cuda'],
    ['foo.go', 'go'],
  ])('%s is %s, which stays local', (file, lang) => {
    expect(inputKindFromPath(file, false)).toEqual({ kind: 'unsupported', lang });
  });

  it.each(['foo.o', 'libfoo.a', 'libfoo.so', 'foo', 'dir.d/foo', 'foo.Cpp', 'foo.txt'])('%s is not a compiler input', (file) => {
    expect(inputKindFromPath(file, false)).toEqual({ kind: 'other' });
  });

  it('g++ and clang++ compile .c, .i and .h as C++', () => {
    expect(inputKindFromPath('foo.c', true)).toEqual({ kind: 'source', lang: 'c++' });
    expect(inputKindFromPath('foo.i', true)).toEqual({ kind: 'source', lang: 'c++-cpp-output' });
    expect(inputKindFromPath('foo.h', true)).toEqual({ kind: 'unsupported', lang: 'c++-header' });
    expect(inputKindFromPath('foo.m', true)).toEqual({ kind: 'source', lang: 'objective-c' });
  });
});

describe('inputKindFromX', () => {
  it.each([
    ['c', 'c'],
    ['c++', 'c++'],
    ['objective-c', 'objective-c'],
    ['objective-c++', 'objective-c++'],
    ['cpp-output', 'cpp-output'],
    ['c++-cpp-output', 'c++-cpp-output'],
    ['objc-cpp-output', 'objective-c-cpp-output'],
    ['objc++-cpp-output', 'objective-c++-cpp-output'],
  ])('-x %s', (value, lang) => {
    expect(inputKindFromX(value)).toEqual({ kind: 'source', lang });
  });

  it.each(['c-header', 'c++-header', 'assembler', 'assembler-with-cpp', 'f95', 'cuda', 'klingon'])('-x %s stays local', (value) => {
    expect(inputKindFromX(value)).toEqual({ kind: 'unsupported', lang: value });
  });
});

describe('preprocessed languages', () => {
  it('maps each source language to its preprocessed -x name', () => {
    expect(['c', 'c++', 'objective-c', 'objective-c++'].map((l) => preprocessedLang(l as 'c'))).toEqual([
      'cpp-output',
      'c++-cpp-output',
      'objective-c-cpp-output',
      'objective-c++-cpp-output',
    ]);
    expect(preprocessedLang('cpp-output')).toBe('cpp-output');
  });

  it('knows which inputs need no preprocessing', () => {
    expect(isPreprocessedLang('c++-cpp-output')).toBe(true);
    expect(isPreprocessedLang('cpp-output')).toBe(true);
    expect(isPreprocessedLang('c++')).toBe(false);
  });

  it('takes the suffix from the file name only', () => {
    expect(suffixOf('a.b/c')).toBeNull();
    expect(suffixOf('a.b/c.tar.c')).toBe('c');
    expect(suffixOf('.hidden')).toBe('hidden');
  });
});
