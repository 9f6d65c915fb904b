// The end-to-end builds are only as good as their object comparison: this holds it to DESIGN.md's measured
// fact (a -g object compiled from gcc's -fdirectives-only output differs from a local one only in
// DW_AT_producer) and shows that it does report real differences.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareBuilds, debugDifference } from './support/build-compare';

const SOURCE = ['#include <stdio.h>', '#define TWICE(x) ((x) + (x))', 'int twice(int v) { return TWICE(v); }', 'int main(void) { printf("%d\\n", twice(21)); return 0; }', ''].join('\n');

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-e2e-compare-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'src/x.c'), SOURCE);
  const gcc = (cwd: string, args: string[]) => execFileSync('gcc', args, { cwd, stdio: 'pipe' });
  gcc(dir, ['-g', '-O2', '-c', 'src/x.c', '-o', 'local.o']);
  // What sshcc does, in one folder: preprocess with -fdirectives-only, compile that as cpp-output.
  writeFileSync(join(dir, 'x.i'), gcc(dir, ['-g', '-O2', '-E', '-fdirectives-only', 'src/x.c']));
  gcc(dir, ['-g', '-O2', '-c', '-fdirectives-only', '-x', 'cpp-output', 'x.i', '-o', 'split.o']);
  gcc(dir, ['-g', '-O1', '-c', 'src/x.c', '-o', 'o1.o']);
  gcc(join(dir, 'elsewhere'), ['-g', '-O2', '-c', '../src/x.c', '-o', '../moved.o']);
  gcc(dir, ['-O2', '-c', 'src/x.c', '-o', 'plain.o']);
  gcc(dir, ['-O2', '-c', 'src/x.c', '-o', 'plain-again.o']);
  gcc(dir, ['-O1', '-c', 'src/x.c', '-o', 'plain-o1.o']);
}, 30_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a -fdirectives-only split compile differs from a local -g one in bytes, but only in the producer string', () => {
  expect(readFileSync(join(dir, 'split.o')).equals(readFileSync(join(dir, 'local.o')))).toBe(false);
  expect(debugDifference(join(dir, 'local.o'), join(dir, 'split.o'))).toBeNull();
});

test('other code, another compile dir, or no debug info to explain a difference are all reported', () => {
  expect(debugDifference(join(dir, 'local.o'), join(dir, 'o1.o'))).toMatch(/strip-debug/);
  expect(debugDifference(join(dir, 'local.o'), join(dir, 'moved.o'))).toMatch(/readelf -w[li]/);
  expect(debugDifference(join(dir, 'plain.o'), join(dir, 'plain-o1.o'))).toMatch(/no debug info/);
});

test('compareBuilds: identical, debug-equivalent, differing and missing files', () => {
  const ref = join(dir, 'ref');
  const out = join(dir, 'out');
  mkdirSync(ref);
  mkdirSync(out);
  const put = (folder: string, name: string, from: string) => writeFileSync(join(folder, name), readFileSync(join(dir, from)));
  put(ref, 'a.o', 'plain.o');
  put(out, 'a.o', 'plain-again.o');
  put(ref, 'b.o', 'local.o');
  put(out, 'b.o', 'split.o');
  put(ref, 'c.o', 'plain.o');
  put(out, 'c.o', 'plain-o1.o');
  put(ref, 'd.o', 'plain.o');
  writeFileSync(join(ref, 'a.d'), 'build/a.o: src/a.c\n');
  writeFileSync(join(out, 'a.d'), 'out/a.o: src/a.c\n');
  const result = compareBuilds(ref, out);
  expect(result.identical).toEqual(['a.o']);
  expect(result.debugEquivalent).toEqual(['b.o']);
  expect(result.differences).toEqual(['a.d: dependency files differ', 'c.o: objects differ and have no debug info', 'd.o: missing']);
  expect(compareBuilds(ref, out, ['a.o', 'b.o']).differences).toEqual(['a.d: dependency files differ']);
});
