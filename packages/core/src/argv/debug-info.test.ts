// Every expectation here was observed with gcc 12 and clang 14.
import { emitsDebugInfo, writesSplitDwarf } from '@sshcc/core';

describe('writesSplitDwarf', () => {
  it.each([
    ['gcc', 'c', '-gsplit-dwarf', true],
    ['gcc', 'c', '-g -gsplit-dwarf', true],
    ['gcc', 'c', '-gsplit-dwarf -g', true],
    ['gcc', 'c', '-g -gsplit-dwarf -g0', true],
    ['gcc', 'c', '-gsplit-dwarf -ggdb0', true],
    ['gcc', 'c', '-g -gsplit-dwarf -gno-split-dwarf', false],
    ['gcc', 'S', '-g -gsplit-dwarf', false],
    ['gcc', 'c', '-g', false],
    ['clang', 'c', '-gsplit-dwarf', false],
    ['clang', 'c', '-g -gsplit-dwarf', true],
    ['clang', 'c', '-gsplit-dwarf -g', true],
    ['clang', 'c', '-gsplit-dwarf -g1', true],
    ['clang', 'c', '-ggdb -gsplit-dwarf', true],
    ['clang', 'c', '-gline-tables-only -gsplit-dwarf', true],
    ['clang', 'c', '-g -gsplit-dwarf -gdwarf-4', true],
    ['clang', 'c', '-g -gsplit-dwarf -g0', false],
    ['clang', 'c', '-gsplit-dwarf -ggdb0', false],
    ['clang', 'c', '-g -gsplit-dwarf -gno-split-dwarf', false],
    ['clang', 'c', '-g -gsplit-dwarf=single', false],
    ['clang', 'c', '-g -gsplit-dwarf=split', true],
    ['clang', 'S', '-g -gsplit-dwarf', true],
  ] as const)('%s -%s %s → %s', (family, stop, options, expected) => {
    expect(writesSplitDwarf(options.split(' '), family, stop)).toBe(expected);
  });
});

describe('emitsDebugInfo', () => {
  it.each([
    ['-g', true],
    ['-O2', false],
    ['-g3', true],
    ['-ggdb', true],
    ['-gdwarf-4', true],
    ['-gline-tables-only', true],
    ['-g -g0', false],
    ['-g0 -g1', true],
    ['-ggdb0', false],
    ['-gsplit-dwarf', false],
    ['-gz', false],
  ])('%s → %s', (options, expected) => {
    expect(emitsDebugInfo(options.split(' '))).toBe(expected);
  });
});
