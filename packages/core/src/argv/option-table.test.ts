import { CLANG_OPTIONS, GCC_OPTIONS, OptionIndex, extendOptions, firstUnsortedRow, type OptionTable } from '@sshcc/core';

describe('the option tables', () => {
  it.each([
    ['gcc', GCC_OPTIONS],
    ['clang', CLANG_OPTIONS],
  ])('%s: rows are sorted by flag and each flag appears once', (_name, table) => {
    const at = firstUnsortedRow(table);
    expect(at === -1 ? 'sorted' : `${table[at - 1].flag} then ${table[at].flag}`).toBe('sorted');
    expect(new Set(table.map((row) => row.flag)).size).toBe(table.length);
  });

  it('notices an unsorted or duplicated row', () => {
    const row = (flag: string) => ({ flag, value: 'none', effect: 'both' }) as const;
    expect(firstUnsortedRow([row('-a'), row('-c'), row('-b')])).toBe(2);
    expect(firstUnsortedRow([row('-a'), row('-a')])).toBe(1);
    expect(firstUnsortedRow([row('-a'), row('-b')])).toBe(-1);
  });

  it('clang extends gcc: every gcc flag is in clang, and macro options go to both steps there', () => {
    const clangFlags = new Set(CLANG_OPTIONS.map((row) => row.flag));
    expect(GCC_OPTIONS.filter((row) => !clangFlags.has(row.flag))).toEqual([]);
    const effect = (table: OptionTable, flag: string) => table.find((row) => row.flag === flag)?.effect;
    for (const flag of ['-D', '-U', '-undef', '-A']) {
      expect([effect(GCC_OPTIONS, flag), effect(CLANG_OPTIONS, flag)]).toEqual(['preprocess', 'both']);
    }
    expect(effect(CLANG_OPTIONS, '-imacros')).toBe('local:reads-files');
  });

  it('extendOptions replaces rows with the same flag, adds new ones and keeps the order', () => {
    const base = [
      { flag: '-a', value: 'none', effect: 'both' },
      { flag: '-c', value: 'none', effect: 'both' },
    ] as const;
    const extended = extendOptions(base, [
      { flag: '-b', value: 'joined', effect: 'compile' },
      { flag: '-c', value: 'none', effect: 'preprocess' },
    ]);
    expect(extended.map((row) => `${row.flag}:${row.effect}`)).toEqual(['-a:both', '-b:compile', '-c:preprocess']);
  });
});

describe('OptionIndex.match', () => {
  const gcc = new OptionIndex(GCC_OPTIONS);
  const clang = new OptionIndex(CLANG_OPTIONS);
  const m = (index: OptionIndex, ...args: string[]) => {
    const found = index.match(args, 0);
    return found && { flag: found.row.flag, value: found.value, consumed: found.consumed, effect: found.row.effect };
  };

  it.each([
    // either: separate or glued
    [['-I', 'inc'], { flag: '-I', value: 'inc', consumed: 2, effect: 'preprocess' }],
    [['-Iinc'], { flag: '-I', value: 'inc', consumed: 1, effect: 'preprocess' }],
    [['-ofoo.o'], { flag: '-o', value: 'foo.o', consumed: 1, effect: 'output' }],
    [['-xc++'], { flag: '-x', value: 'c++', consumed: 1, effect: 'lang' }],
    [['-MF', 'a.d'], { flag: '-MF', value: 'a.d', consumed: 2, effect: 'deps' }],
    [['-MFa.d'], { flag: '-MF', value: 'a.d', consumed: 1, effect: 'deps' }],
    // an exact flag beats a shorter prefix
    [['-undef'], { flag: '-undef', value: undefined, consumed: 1, effect: 'preprocess' }],
    [['-MD'], { flag: '-MD', value: undefined, consumed: 1, effect: 'deps' }],
    [['-march=native'], { flag: '-march=native', value: undefined, consumed: 1, effect: 'local:native-arch' }],
    [['-dumpversion'], { flag: '-dumpversion', value: undefined, consumed: 1, effect: 'info' }],
    // the longest prefix wins
    [['-Wa,--noexecstack'], { flag: '-Wa,', value: '--noexecstack', consumed: 1, effect: 'assembler' }],
    [['-Wl,-z,now'], { flag: '-Wl,', value: '-z,now', consumed: 1, effect: 'link' }],
    [['-Wp,-MD,a.d'], { flag: '-Wp,', value: '-MD,a.d', consumed: 1, effect: 'wp' }],
    [['-Wall'], { flag: '-W', value: 'all', consumed: 1, effect: 'both' }],
    [['-fprofile-use=dir'], { flag: '-fprofile-use=', value: 'dir', consumed: 1, effect: 'local:profile' }],
    [['-fPIC'], { flag: '-f', value: 'PIC', consumed: 1, effect: 'both' }],
    [['-march=x86-64-v3'], { flag: '-m', value: 'arch=x86-64-v3', consumed: 1, effect: 'both' }],
    [['-print-file-name=include'], { flag: '-print-', value: 'file-name=include', consumed: 1, effect: 'info' }],
    // separate-only values
    [['-Xassembler', '-al'], { flag: '-Xassembler', value: '-al', consumed: 2, effect: 'assembler' }],
    [['--param', 'inline-unit-growth=5'], { flag: '--param', value: 'inline-unit-growth=5', consumed: 2, effect: 'both' }],
    // a missing value at the end of argv
    [['-o'], { flag: '-o', value: undefined, consumed: 1, effect: 'output' }],
  ])('gcc %j', (args, expected) => {
    expect(m(gcc, ...args)).toEqual(expected);
  });

  it('returns null for an unknown option', () => {
    expect(m(gcc, '-frobnicate-everything')).toEqual({ flag: '-f', value: 'robnicate-everything', consumed: 1, effect: 'both' });
    expect(m(gcc, '-Q')).toBeNull();
    expect(m(gcc, '--frobnicate')).toBeNull();
  });

  it('clang knows its own separate options, so their values are not taken for inputs', () => {
    expect(m(clang, '-mllvm', '-inline-threshold=9')).toEqual({ flag: '-mllvm', value: '-inline-threshold=9', consumed: 2, effect: 'both' });
    expect(m(clang, '-target', 'aarch64-linux-gnu')).toMatchObject({ flag: '-target', consumed: 2 });
    expect(m(clang, '-Xclang', '-load')).toMatchObject({ flag: '-Xclang', value: '-load', effect: 'xclang' });
    expect(m(clang, '-include-pch', 'x.pch')).toMatchObject({ flag: '-include-pch', consumed: 2, effect: 'local:reads-files' });
    expect(m(gcc, '-include-pch', 'x.pch')).toMatchObject({ flag: '-include', value: '-pch', consumed: 1 });
  });
});
