import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { includedFiles } from './include-markers';

describe('includedFiles', () => {
  it.each([
    ['gcc -fdirectives-only markers, pseudo-files left out', '# 0 "a.c"\n# 0 "<built-in>"\n#define X 1\n# 0 "<command-line>"\n# 1 "/usr/include/stdc-predef.h" 1 3 4\n# 1 "a.c"\n# 1 "h.h" 1\n# 2 "a.c" 2\n', ['a.c', '/usr/include/stdc-predef.h', 'h.h']],
    ['clang -frewrite-includes markers', '# 1 "<built-in>"\n# 1 "a.c"\n#if 0 /* expanded by -frewrite-includes */\n#include "h.h"\n#endif\n# 1 "./h.h" 1\nint x;\n# 2 "a.c" 2\n', ['a.c', './h.h']],
    ['each file once, in the order first named', '# 1 "b.h"\n# 1 "a.h"\n# 5 "b.h" 2\n', ['b.h', 'a.h']],
    ['no marker at all', 'int main(void) { return 0; }\n', []],
    ['an empty stream', '', []],
    ['cpp escapes: quote, backslash, octal', '# 1 "we\\"ird\\\\dir/\\303\\251t\\303\\251.h" 1\n', ['we"ird\\dir/été.h']],
    ['a last line without a newline', 'int a;\n# 3 "end.h"', ['end.h']],
    ['lines that only look like markers: a directive, text, no line number, a marker not at line start', '#define A "x.h"\n# define B 1\n#  1 "y.h"\n# "z.h"\nint s = 1; # 1 "w.h"\n', []],
  ])('%s', (_name, text, files) => {
    expect(includedFiles(Buffer.from(text, 'utf8'))).toEqual(files);
  });

  it.each([
    ['an escape cpp does not write', '# 1 "a\\nb.h"\n'],
    ['a name with no closing quote', '# 1 "a.h\n'],
    ['a name whose bytes are not UTF-8', '# 1 "\\377.h"\n'],
    ['an empty name', '# 1 ""\n'],
  ])('is in doubt (null) for %s', (_name, text) => {
    expect(includedFiles(Buffer.from(text, 'utf8'))).toBeNull();
  });

  it('names, for real gcc output, the source and every header it read, with the names cpp used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshcc-markers-'));
    try {
      writeFileSync(join(dir, 'a.c'), '#include "sub/b.h"\n#include <stddef.h>\nint a = B;\n');
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'b.h'), '#include "c.h"\n#define B C\n');
      writeFileSync(join(dir, 'sub', 'c.h'), '#define C 3\n');
      const out = execFileSync('gcc', ['-E', '-fdirectives-only', 'a.c'], { cwd: dir });
      const files = includedFiles(out) ?? [];
      expect(files.slice(0, 1)).toEqual(['a.c']);
      expect(files).toEqual(expect.arrayContaining(['sub/b.h', 'sub/c.h']));
      expect(files.some((file) => file.endsWith('/stddef.h'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
