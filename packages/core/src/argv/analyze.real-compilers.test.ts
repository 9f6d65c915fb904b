// The split recipe, proven with the real gcc and clang: preprocess with preprocessArgv in the project,
// write the text to ANOTHER folder under remoteInputName, compile it there the way the volunteer does
// (`compileArgv -x remoteLang <file> -o out.o -fdebug-prefix-map=<that folder>=<cwd>`), and compare with a
// plain local build. Without -g the objects are identical; with -g the code and data are identical
// (objcopy --strip-debug) and so are the line tables (see lineTable below for clang's DWARF 5).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeArgs, type RemoteAnalysis } from '@sshcc/core';

const temps: string[] = [];
let project: string;

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sshcc-${label}-`));
  temps.push(dir);
  return dir;
}

function sh(argv: readonly string[], cwd: string): Buffer {
  const result = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'buffer', maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

beforeAll(() => {
  project = tempDir('project');
  for (const dir of ['inc', 'src', 'obj']) fs.mkdirSync(path.join(project, dir));
  const files: Record<string, string> = {
    'inc/h.h': '#define SQ(x) ((x) * (x))\nstatic inline int f(int a) { return SQ(a) +\n    FOO; }\n',
    'inc/pre.h': '#define PRE 7\n',
    'src/foo.c': [
      '#include "h.h"',
      '#include <stdio.h>',
      '#define SHOW(x) printf("%s:%d %d\\n", __FILE__, __LINE__, (x))',
      'int main(void) { SHOW(f(3)); SHOW(SQ(4)); return 0; }',
      'int g(int n) { int s = 0; for (int i = 0; i < n; i++) s += SQ(i); return s; }',
      '',
    ].join('\n'),
    'src/pre.c': '#include "h.h"\nint p(void) { return PRE + f(2); }\n',
    'src/gen.txt': '#include "h.h"\nint gen(void) { return f(5); }\n',
    'src/v.cpp': [
      '#include <string>',
      '#include <vector>',
      '#include "h.h"',
      '#define TWICE(x) ((x) + (x))',
      'template <class T> T sum(const std::vector<T>& v) { T s{}; for (auto& x : v) s += TWICE(x); return s; }',
      'int g() { std::vector<int> v{1, 2, f(3)}; std::string s = __FILE__; return sum(v) + (int)s.size() + __LINE__; }',
      '',
    ].join('\n'),
  };
  files['foo.c'] = files['src/foo.c'];
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(project, name), text);
  sh(['gcc', '-Iinc', '-include', 'pre.h', '-DFOO=PRE', '-E', 'src/pre.c', '-o', 'pre.i'], project);
});

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

interface Built {
  readonly object: string;
  readonly dwo: string | undefined;
}

/** The plain local build, moved aside so the split build can write the same path. */
function buildLocally(argv: readonly string[], analysis: RemoteAnalysis): Built {
  sh(argv, project);
  const keep = tempDir('local');
  const object = path.join(keep, 'local.o');
  fs.renameSync(analysis.output, object);
  const [dwo] = analysis.extraOutputs;
  if (dwo === undefined) return { object, dwo: undefined };
  fs.renameSync(dwo, path.join(keep, 'local.dwo'));
  return { object, dwo: path.join(keep, 'local.dwo') };
}

/** What the agent and the volunteer do. `outputName`: the volunteer's -o (relative to its folder). */
function buildSplit(analysis: RemoteAnalysis, outputName = 'out.o'): Built {
  const remote = tempDir('volunteer');
  const source = analysis.preprocessArgv ? sh(analysis.preprocessArgv, project) : fs.readFileSync(analysis.input);
  fs.writeFileSync(path.join(remote, analysis.remoteInputName), source);
  fs.mkdirSync(path.dirname(path.join(remote, outputName)), { recursive: true });
  const argv = [analysis.compiler, ...analysis.compileArgv, '-x', analysis.remoteLang, analysis.remoteInputName];
  sh([...argv, '-o', outputName, `-fdebug-prefix-map=${remote}=${project}`], remote);
  const object = path.join(remote, outputName);
  const dwo = path.join(remote, outputName.replace(/\.o$/, '.dwo'));
  return { object, dwo: fs.existsSync(dwo) ? dwo : undefined };
}

function stripped(object: string): Buffer {
  const out = `${object}.stripped`;
  sh(['objcopy', '--strip-debug', object, out], project);
  return fs.readFileSync(out);
}

function readelf(option: string, object: string): string {
  return sh(['readelf', option, object], project).toString().replaceAll(object, '<object>');
}

/** readelf -wi without DW_AT_producer (gcc records -fdirectives-only there) and the string offsets it moves. */
function debugInfoWithoutProducer(object: string): string[] {
  return readelf('-wi', object)
    .split('\n')
    .filter((line) => !line.includes('DW_AT_producer'))
    .map((line) => line.replace(/(indirect string|indexed string), (offset|index): 0x[0-9a-f]+/, '$1'));
}

/**
 * The decoded line table: address, line, column and the file each row resolves to. clang writes DWARF 5
 * MD5 checksums only for files no line marker renamed, so the volunteer's file table lists the same files
 * without checksums and in another order; every row still names the same file, line and column.
 */
function lineTable(object: string): string[] {
  const dump = sh(['llvm-dwarfdump', '--debug-line', object], project).toString();
  const dirs = [...dump.matchAll(/include_directories\[\s*(\d+)\] = "(.*)"/g)].map((m) => m[2]);
  const files = new Map<string, string>();
  for (const m of dump.matchAll(/file_names\[\s*(\d+)\]:\s*name: "(.*)"\s*dir_index: (\d+)/g)) {
    const dir = dirs[Number(m[3])];
    files.set(m[1], path.resolve(dirs[0], dir, m[2]));
  }
  const rows = [...dump.matchAll(/^(0x[0-9a-f]{16}) +(\d+) +(\d+) +(\d+) +\d+ +\d+ *(.*)$/gm)];
  return rows.map((m) => `${m[1]} ${m[2]}:${m[3]} ${files.get(m[4])} ${m[5].trim()}`);
}

function remoteAnalysis(argv: readonly string[]): RemoteAnalysis {
  const analysis = analyzeArgs(argv, { cwd: project, env: {} });
  if (analysis.mode !== 'remote') throw new Error(`expected remote: ${analysis.detail}`);
  return analysis;
}

const split = (line: string) => line.replaceAll('{abs}', project).split(' ');

describe('objects are identical without -g', () => {
  it.each([
    ['gcc C', 'gcc -Iinc -DFOO=2 -O2 -Wp,-D_FORTIFY_SOURCE=2 -c src/foo.c -o obj/foo.o'],
    ['gcc C, absolute input, -fPIC', 'gcc -Iinc -DFOO=2 -O2 -fPIC -DPIC -c {abs}/src/foo.c -o obj/foo.o'],
    ['gcc -include', 'gcc -Iinc -include pre.h -DFOO=PRE -O2 -c src/pre.c -o obj/pre.o'],
    ['gcc -x c on a .txt', 'gcc -Iinc -DFOO=2 -O2 -c -x c src/gen.txt -o obj/gen.o'],
    ['g++ on a .c file (compiled as C++)', 'g++ -Iinc -DFOO=2 -O2 -c src/foo.c -o obj/foo-cxx.o'],
    ['g++ C++17, inferred output', 'g++ -Iinc -DFOO=2 -O2 -std=c++17 -c src/v.cpp'],
    ['gcc -S', 'gcc -Iinc -DFOO=2 -O2 -S src/foo.c -o obj/foo.s'],
    ['gcc on a .i (nothing to preprocess)', 'gcc -O2 -c pre.i -o obj/pre-i.o'],
    ['clang C', 'clang -Iinc -DFOO=2 -O2 -c src/foo.c -o obj/foo.o'],
    ['clang -Wp,-D, absolute input', 'clang -Iinc -Wp,-D_FORTIFY_SOURCE=2 -DFOO=2 -O2 -c {abs}/src/foo.c -o obj/foo.o'],
    ['clang -include, -U', 'clang -Iinc -include pre.h -DFOO=PRE -DGONE -UGONE -O2 -c src/pre.c -o obj/pre.o'],
    ['clang++ C++17, inferred output', 'clang++ -Iinc -DFOO=2 -O2 -std=c++17 -c src/v.cpp'],
    ['clang -S', 'clang -Iinc -DFOO=2 -O2 -S src/foo.c -o obj/foo.s'],
    ['clang on a .i', 'clang -O2 -c pre.i -o obj/pre-i.o'],
  ])('%s', (_name, line) => {
    const argv = split(line);
    const analysis = remoteAnalysis(argv);
    const local = buildLocally(argv, analysis);
    const remote = buildSplit(analysis);
    expect(fs.readFileSync(remote.object).equals(fs.readFileSync(local.object))).toBe(true);
  });
});

describe('with -g: same code, same line tables', () => {
  it.each([
    ['gcc C -O1 -g', 'gcc -Iinc -DFOO=2 -O1 -g -c src/foo.c -o obj/foo.o'],
    ['gcc C -O0 -g3', 'gcc -Iinc -DFOO=2 -O0 -g3 -c src/foo.c -o obj/foo.o'],
    ['g++ C++ -O2 -g', 'g++ -Iinc -DFOO=2 -O2 -g -std=c++17 -c src/v.cpp -o obj/v.o'],
  ])('%s: stripped objects, readelf -wl and -wi (but the producer) identical', (_name, line) => {
    const argv = split(line);
    const analysis = remoteAnalysis(argv);
    const local = buildLocally(argv, analysis);
    const remote = buildSplit(analysis);
    expect(stripped(remote.object).equals(stripped(local.object))).toBe(true);
    expect(readelf('-wl', remote.object)).toBe(readelf('-wl', local.object));
    expect(debugInfoWithoutProducer(remote.object)).toEqual(debugInfoWithoutProducer(local.object));
  });

  it('clang -gdwarf-4: the whole object is identical', () => {
    const argv = split('clang -Iinc -DFOO=2 -O1 -gdwarf-4 -c src/foo.c -o obj/foo.o');
    const analysis = remoteAnalysis(argv);
    const local = buildLocally(argv, analysis);
    const remote = buildSplit(analysis);
    expect(fs.readFileSync(remote.object).equals(fs.readFileSync(local.object))).toBe(true);
  });

  it.each([
    ['clang C -O1 -g', 'clang -Iinc -DFOO=2 -O1 -g -c src/foo.c -o obj/foo.o'],
    ['clang++ C++ -O0 -g', 'clang++ -Iinc -DFOO=2 -O0 -g -std=c++17 -c src/v.cpp -o obj/v.o'],
    ['clang C -g, absolute input', 'clang -Iinc -DFOO=2 -O0 -g -c {abs}/src/foo.c -o obj/foo.o'],
    ['clang C -g, input in the cwd', 'clang -Iinc -DFOO=2 -O0 -g -c foo.c -o obj/foo.o'],
  ])('%s (DWARF 5): stripped objects and every line-table row identical', (_name, line) => {
    const argv = split(line);
    const analysis = remoteAnalysis(argv);
    const local = buildLocally(argv, analysis);
    const remote = buildSplit(analysis);
    expect(stripped(remote.object).equals(stripped(local.object))).toBe(true);
    const rows = lineTable(local.object);
    expect(rows.length).toBeGreaterThan(5);
    expect(lineTable(remote.object)).toEqual(rows);
  });
});

describe('-gsplit-dwarf', () => {
  it('clang: the volunteer may name its output freely; the .dwo and its recorded name match', () => {
    const argv = split('clang -Iinc -DFOO=2 -O1 -g -gsplit-dwarf -gdwarf-4 -c src/foo.c -o obj/foo.o');
    const analysis = remoteAnalysis(argv);
    expect(analysis.extraOutputs).toEqual([path.join(project, 'obj/foo.dwo')]);
    const local = buildLocally(argv, analysis);
    const remote = buildSplit(analysis, 'out.o');
    expect(fs.readFileSync(remote.object).equals(fs.readFileSync(local.object))).toBe(true);
    expect(remote.dwo && fs.readFileSync(remote.dwo).equals(fs.readFileSync(local.dwo ?? ''))).toBe(true);
  });

  it('gcc: records the .dwo path as -o spells it, so a -o in another folder stays local', () => {
    const elsewhere = analyzeArgs(split('gcc -g -gsplit-dwarf -c src/foo.c -o obj/foo.o'), { cwd: project, env: {} });
    expect(elsewhere).toMatchObject({ mode: 'local', reason: 'side-files' });
    const argv = split('gcc -Iinc -DFOO=2 -O1 -g -gsplit-dwarf -c src/foo.c -o foo.o');
    const analysis = remoteAnalysis(argv);
    expect(analysis.extraOutputs).toEqual([path.join(project, 'foo.dwo')]);
    const local = buildLocally(argv, analysis);
    const remote = buildSplit(analysis, 'foo.o');
    expect(stripped(remote.object).equals(stripped(local.object))).toBe(true);
    // The skeleton (it names foo.dwo) is identical; the .dwo differs only by the producer string.
    expect(readelf('-wi', remote.object)).toBe(readelf('-wi', local.object));
    expect(readelf('-wi', local.object)).toMatch(/DW_AT_dwo_name +: .*: foo\.dwo$/m);
    expect(readelf('-wl', remote.object)).toBe(readelf('-wl', local.object));
    if (!remote.dwo || !local.dwo) throw new Error('no .dwo written');
    // readelf misreads a .dwo's string offsets; llvm-dwarfdump resolves them.
    const dwoInfo = (dwo: string) =>
      sh(['llvm-dwarfdump', '--debug-info', dwo], project)
        .toString()
        .split('\n')
        .filter((line) => !line.includes('DW_AT_producer') && !line.includes('file format'));
    expect(dwoInfo(remote.dwo)).toEqual(dwoInfo(local.dwo));
  });
});

test('gcc refuses -fdirectives-only beside -Wunused-macros, so such a compile is not split: it stays here', () => {
  const refused = spawnSync('gcc', ['-Iinc', '-DFOO=2', '-Wunused-macros', '-E', '-fdirectives-only', 'src/foo.c'], { cwd: project, encoding: 'utf8' });
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/-fdirectives-only.* is incompatible with .*-Wunused-macros/);
  expect(analyzeArgs(split('gcc -Iinc -DFOO=2 -O2 -Wunused-macros -c src/foo.c -o obj/foo.o'), { cwd: project, env: {} })).toMatchObject({ mode: 'local', reason: 'unused-macros' });
});
