import { MAX_RESPONSE_FILE_EXPANSIONS, expandResponseFiles, splitResponseText } from '@sshcc/core';

describe('splitResponseText (gcc buildargv rules, as gcc 12 and clang 14 read them)', () => {
  it.each([
    ['-c foo.c', ['-c', 'foo.c']],
    ['  -c\tfoo.c\n\n-o\r\nfoo.o  ', ['-c', 'foo.c', '-o', 'foo.o']],
    ["-DB='x y'", ['-DB=x y']],
    ['"-DC=a\\"b"', ['-DC=a"b']],
    ['-DD=q\\ r', ['-DD=q r']],
    ["-DE=''", ['-DE=']],
    ["-DS='a\\\\b'", ['-DS=a\\b']], // a backslash escapes even inside single quotes
    ['-DQ=a\\\\b', ['-DQ=a\\b']],
    ['-DT=x"y z"w', ['-DT=xy zw']],
    ["'it''s'", ['its']],
    [`"it's"`, ["it's"]],
    ["''", ['']],
    ['', []],
    ['\n', []],
  ])('%j', (text, args) => {
    expect(splitResponseText(text)).toEqual(args);
  });
});

describe('expandResponseFiles', () => {
  const files: Record<string, string> = {
    '/w/a.rsp': '-DA=1 @sub/b.rsp -c',
    '/w/sub/b.rsp': "-DB='x y' @c.rsp",
    '/w/c.rsp': '-DWHICH=cwd', // nested @files resolve against the cwd, not the including file's folder
    '/w/sub/c.rsp': '-DWHICH=sub',
    '/abs/x.rsp': 'foo.c',
    '/w/loop.rsp': '@loop.rsp',
    '/w/@odd': 'unused',
  };
  const readFile = (file: string) => {
    if (!(file in files)) throw new Error(`ENOENT: ${file}`);
    return files[file];
  };

  it('expands nested files in place, against the cwd', () => {
    expect(expandResponseFiles(['gcc', '-O2', '@a.rsp', 'foo.c'], '/w', readFile)).toEqual({
      args: ['gcc', '-O2', '-DA=1', '-DB=x y', '-DWHICH=cwd', '-c', 'foo.c'],
      unreadable: [],
    });
  });

  it('reads absolute paths as they are', () => {
    expect(expandResponseFiles(['gcc', '-c', '@/abs/x.rsp'], '/w', readFile).args).toEqual(['gcc', '-c', 'foo.c']);
  });

  it('keeps an unreadable @file literally, as gcc does, and reports it', () => {
    expect(expandResponseFiles(['gcc', '-c', '@missing.rsp', 'foo.c'], '/w', readFile)).toEqual({
      args: ['gcc', '-c', '@missing.rsp', 'foo.c'],
      unreadable: ['@missing.rsp'],
    });
  });

  it('without a reader every @file is unreadable', () => {
    expect(expandResponseFiles(['gcc', '@a.rsp'], '/w', undefined).unreadable).toEqual(['@a.rsp']);
  });

  it('never expands argv[0] or a lone @', () => {
    expect(expandResponseFiles(['@odd', '@', '-c'], '/w', readFile)).toEqual({ args: ['@odd', '@', '-c'], unreadable: [] });
  });

  it('stops a file that includes itself after the expansion limit', () => {
    const result = expandResponseFiles(['gcc', '@loop.rsp'], '/w', readFile);
    expect(result.args).toEqual(['gcc', '@loop.rsp']);
    expect(result.unreadable).toEqual(['@loop.rsp']);
    expect(MAX_RESPONSE_FILE_EXPANSIONS).toBe(2000);
  });
});
