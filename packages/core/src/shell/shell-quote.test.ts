import { shellQuote } from './shell-quote';

describe('shellQuote', () => {
  it.each<[string[], string]>([
    [['gcc', '-c', 'foo.c', '-o', 'out/foo.o'], 'gcc -c foo.c -o out/foo.o'],
    [['gcc', '-DNAME="a b"'], `gcc '-DNAME="a b"'`],
    [['cc', "it's"], `cc 'it'\\''s'`],
    [['cc', ''], `cc ''`],
    [['cc', '-Wl,-rpath,$ORIGIN'], `cc '-Wl,-rpath,$ORIGIN'`],
    [['cc', '-I/a b', '*.c'], `cc '-I/a b' '*.c'`],
  ])('%j', (argv, line) => {
    expect(shellQuote(argv)).toBe(line);
  });
});
