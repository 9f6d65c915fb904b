// The local preprocess step must write the very .d file a plain local compile writes, although it runs
// `-E` to stdout. Runs the real gcc and clang on a small project and compares the .d files byte for byte.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeArgs } from '@sshcc/core';

let project: string;

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-deps-'));
  for (const dir of ['inc', 'src', 'obj/sub', '.deps', '.libs', 'CMakeFiles/x.dir']) {
    fs.mkdirSync(path.join(project, dir), { recursive: true });
  }
  fs.writeFileSync(path.join(project, 'inc/h.h'), '#include "h2.h"\n#define SQ(x) ((x) * (x))\n');
  fs.writeFileSync(path.join(project, 'inc/h2.h'), 'static inline int twice(int a) { return a + a; }\n');
  fs.writeFileSync(path.join(project, 'src/foo.c'), '#include "h.h"\n#include <stdio.h>\nint f(void) { return SQ(2) + twice(3); }\n');
  fs.writeFileSync(path.join(project, 'src/v.cpp'), '#include <vector>\n#include "h.h"\nint g() { std::vector<int> v{SQ(2)}; return v[0]; }\n');
});

afterAll(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

/** Every file under the project, relative, with its bytes. */
function snapshot(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(project, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else files.set(rel, fs.readFileSync(path.join(project, rel)));
    }
  };
  walk('.');
  return files;
}

/** Runs argv in the project and returns the files it created (then removes them). */
function run(argv: readonly string[], env: Record<string, string> = {}): Map<string, Buffer> {
  const before = snapshot();
  const options = { cwd: project, encoding: 'buffer', maxBuffer: 64 << 20, env: { ...process.env, ...env } } as const;
  const result = spawnSync(argv[0], argv.slice(1), options);
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr.toString()}`);
  const created = new Map([...snapshot()].filter(([name]) => !before.has(name)));
  for (const name of created.keys()) fs.rmSync(path.join(project, name));
  return created;
}

const isDepFile = (name: string) => name.endsWith('.d') || name.endsWith('.Tpo');

const CASES: ReadonlyArray<readonly [string, string]> = [
  ['-MD, no -o', '-Iinc -MD -c src/foo.c'],
  ['-MD -o in a subdir', '-Iinc -MD -c src/foo.c -o obj/sub/foo.o'],
  ['-MMD -o', '-Iinc -MMD -c src/foo.c -o obj/foo.o'],
  ['-MD -MF x', '-Iinc -MD -MF obj/x.d -c src/foo.c -o obj/foo.o'],
  ['-MMD -MP -MT t', '-Iinc -MMD -MP -MT t -c src/foo.c -o obj/foo.o'],
  ['-MMD -MP -MT t, no -o', '-Iinc -MMD -MP -MT t -c src/foo.c'],
  ['kernel -Wp,-MD with -o', '-Iinc -Wp,-MD,obj/.foo.o.d -c -o obj/foo.o src/foo.c'],
  ['kernel -Wp,-MMD, no -o', '-Iinc -Wp,-MMD,obj/.foo.o.d -c src/foo.c'],
  ['-Wp,-MMD with another -Wp option', '-Iinc -Wp,-MMD,obj/.foo.o.d,-DEXTRA -c -o obj/sub/foo.o src/foo.c'],
  ['-MD -S, no -o', '-Iinc -MD -S src/foo.c'],
  ['-MD -MQ with $ in the name', '-Iinc -MD -MQ obj/$x.o -c src/foo.c -o obj/foo.o'],
  ['libtool', '-DHAVE_CONFIG_H -I. -Iinc -g -O2 -MT foo.lo -MD -MP -MF .deps/foo.Tpo -c src/foo.c -fPIC -DPIC -o .libs/foo.o'],
  ['absolute input and output', '-Iinc -MD -MP -c {abs}/src/foo.c -o {abs}/obj/foo.o'],
];

// clang rejects -Wp,-MF (its cc1 has no -MF); gcc hands it to cc1, which prefers it to the driver's -MD file.
const GCC_ONLY: ReadonlyArray<readonly [string, string]> = [['-Wp,-MF with -MD', '-Iinc -MD -Wp,-MF,obj/wp.d -c src/foo.c -o obj/foo.o']];

describe.each(['gcc', 'clang'])('%s: the .d file of the local preprocess step', (compiler) => {
  it.each(compiler === 'gcc' ? [...CASES, ...GCC_ONLY] : CASES)('%s', (_name, line) => {
    const argv = [compiler, ...line.replaceAll('{abs}', project).split(' ')];
    const plain = [...run(argv)].filter(([name]) => isDepFile(name));
    expect(plain.length).toBe(1);

    const analysis = analyzeArgs(argv, { cwd: project, env: {} });
    if (analysis.mode !== 'remote' || !analysis.preprocessArgv) throw new Error(`not remote: ${JSON.stringify(analysis)}`);
    const split = [...run(analysis.preprocessArgv)].filter(([name]) => isDepFile(name));
    expect(split.map(([name]) => name)).toEqual(plain.map(([name]) => name));
    expect(split[0][1].toString()).toBe(plain[0][1].toString());
  });

  it('C++ in CMake style', () => {
    const cxx = compiler === 'gcc' ? 'g++' : 'clang++';
    const line = '-DFOO -Iinc -O2 -std=gnu++17 -MD -MT CMakeFiles/x.dir/v.cpp.o -MF CMakeFiles/x.dir/v.cpp.o.d -o CMakeFiles/x.dir/v.cpp.o -c';
    const argv = [cxx, ...line.split(' '), path.join(project, 'src/v.cpp')];
    const plain = [...run(argv)].filter(([name]) => isDepFile(name));
    const analysis = analyzeArgs(argv, { cwd: project, env: {} });
    if (analysis.mode !== 'remote' || !analysis.preprocessArgv) throw new Error('not remote');
    const split = [...run(analysis.preprocessArgv)].filter(([name]) => isDepFile(name));
    expect(plain.map(([name]) => name)).toEqual(['CMakeFiles/x.dir/v.cpp.o.d']);
    expect(split).toEqual(plain);
  });
});

describe('gcc: DEPENDENCIES_OUTPUT and SUNPRO_DEPENDENCIES (the local step runs with the client environment)', () => {
  it.each([
    ['DEPENDENCIES_OUTPUT', 'obj/env.d'],
    ['DEPENDENCIES_OUTPUT', 'obj/env.d custom-target'],
    ['SUNPRO_DEPENDENCIES', 'obj/env.d'],
  ])('%s=%s', (name, value) => {
    const argv = ['gcc', '-Iinc', '-c', 'src/foo.c', '-o', 'obj/sub/foo.o'];
    const env = { [name]: value };
    const plain = [...run(argv, env)].filter(([file]) => isDepFile(file));
    const analysis = analyzeArgs(argv, { cwd: project, env });
    if (analysis.mode !== 'remote' || !analysis.preprocessArgv) throw new Error('not remote');
    const split = [...run(analysis.preprocessArgv, env)].filter(([file]) => isDepFile(file));
    expect(plain.map(([file]) => file)).toEqual(['obj/env.d']);
    expect(split).toEqual(plain);
  });
});
