// The shim's line checker (check-lines.c), built here with a small driver: gcc's directives-only output
// of real sources, checked against those sources. Compiled in the sources' own dir, the checked output
// prints what `gcc -c` of the source prints, byte for byte, where cpp's own output does not (its
// directives are in a normal form, so lines and columns inside macro definitions differ).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SHIM = join(__dirname, '..');
let dir: string;
let checker: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-check-lines-'));
  checker = join(dir, 'check-lines');
  const build = spawnSync('cc', ['-O1', '-std=c11', '-Wall', '-Wextra', '-Wconversion', '-Werror', '-o', checker, join(SHIM, 'test', 'check-lines-main.c'), join(SHIM, 'check-lines.c')]);
  expect(build.stderr.toString()).toBe('');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WARNINGS = ['-Wall', '-Wextra', '-Wconversion'];

function gcc(args: string[], input?: Buffer) {
  return spawnSync('gcc', args, { cwd: dir, input, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 });
}

/** cpp's output through the checker, `step` bytes at a time: the output and the verdict. */
function check(cppOutput: Buffer, step = 65536): { output: Buffer; checked: boolean } {
  const run = spawnSync(checker, [String(step)], { cwd: dir, input: cppOutput, maxBuffer: 64 * 1024 * 1024 });
  return { output: run.stdout, checked: run.stderr.toString() === 'checked=1\n' };
}

/** What gcc prints compiling preprocessed `text` from stdin, as the volunteer does. */
function compiled(text: Buffer, extra: readonly string[] = []): string {
  return gcc(['-c', ...WARNINGS, ...extra, '-fdirectives-only', '-x', 'cpp-output', '-', '-o', '/dev/null'], text).stderr.toString();
}

function source(name: string, text: string): string {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, name), text);
  return name;
}

const DIRECTIVES = `#include <stdio.h>
#include "m.h"
#  define  SP( x )   ((x)+ (x))
#define ADD(a, b) \\
  ((a) + \\
   (b))   // trailing comment
#define SP2(x) x /* comment
  continues */ + 1
# pragma   GCC diagnostic warning "-Wconversion"
#pragma   sshcc_unknown   pragma
/* a comment mentioning
#define NOT_REAL \\
*/
#define STR "/* not a comment"
int g(long v, unsigned u) {\t/* tab */
\tint r = ADD(v, /* inline */ 1);
  short s = SP(v);
  int q = SP2(u);
  short w = WIDE(v);
  return r + s + q + w + STR[0];
}
`;

describe('the shim line checker', () => {
  it('puts directives back as the file spells them: a compile of its output prints what gcc -c prints', () => {
    source('src/m.h', '#define   WIDE(x)\t( x \\\n   * 2 )\n');
    const file = source('src/t.c', DIRECTIVES);
    const local = gcc(['-c', ...WARNINGS, '-Wunknown-pragmas', file, '-o', '/dev/null']);
    expect(local.stderr.toString()).toMatch(/in expansion of macro 'ADD'[\s\S]*in expansion of macro 'WIDE'/);
    const cpp = gcc(['-E', '-fdirectives-only', ...WARNINGS, file]).stdout;
    const { output, checked } = check(cpp);
    expect(checked).toBe(true);
    expect(compiled(output, ['-Wunknown-pragmas'])).toBe(local.stderr.toString());
    // cpp's own normal form is what needed putting back.
    expect(compiled(cpp, ['-Wunknown-pragmas'])).not.toBe(local.stderr.toString());
    for (const step of [1, 7, 4096]) expect(check(cpp, step).output.equals(output)).toBe(true);
  });

  it.each([
    [
      'takes indented directives, and the indentation cpp leaves of a line it consumed (as in Lua)',
      'src/indent.c',
      'int f(long v) {\n    #if 1\n  #define  NARROW(x)\t((short)(x) + (x))\n    #endif\n  return NARROW(v);\n}\n',
      "in expansion of macro 'NARROW'",
    ],
    ['keeps CRLF lines as the file has them', 'src/crlf.c', 'int a;\r\n#define  CR(x)  ((x) + 1)\r\nshort narrow(long v) { return CR(v); }\r\n', 'in expansion of macro'],
  ])('%s', (_what, name, text, note) => {
    const file = source(name, text);
    const local = gcc(['-c', ...WARNINGS, file, '-o', '/dev/null']);
    expect(local.stderr.toString()).toContain(note);
    const { output, checked } = check(gcc(['-E', '-fdirectives-only', file]).stdout);
    expect(checked).toBe(true);
    expect(compiled(output)).toBe(local.stderr.toString());
  });

  it.each([
    ['a #line naming another file (a parser generated from a grammar)', () => source('src/gen.c', 'int a;\n#line 10 "grammar.y"\nint b;\n'), () => undefined, '# 10 "grammar.y"\nint b;\n'],
    ['a header edited after cpp read it', () => source('src/edit.c', '#include "e.h"\nint b;\n'), () => writeFileSync(join(dir, 'src', 'e.h'), 'int changed;\n'), 'int original;\n'],
    ['a header gone since', () => source('src/gone.c', '#include "g.h"\nint b;\n'), () => unlinkSync(join(dir, 'src', 'g.h')), 'int here;\n'],
  ])('says "not checked" for %s, and passes the line on as cpp wrote it', (_what, make, after, kept) => {
    source('src/e.h', 'int original;\n');
    source('src/g.h', 'int here;\n');
    const cpp = gcc(['-E', '-fdirectives-only', make()]).stdout;
    after();
    const { output, checked } = check(cpp);
    expect(checked).toBe(false);
    expect(output.toString()).toContain(kept);
  });
});
