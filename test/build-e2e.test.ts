// End-to-end: make -j builds of examples/ through real sshd volunteers (testkit) with real gcc/g++, held
// against a local build of the same folder: objects as DESIGN.md's measured facts allow, .d files byte for
// byte, every compile on a volunteer. The C shim is what `sshcc` is; the TS thin client passes the same build.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBuildFixture } from './support/build-fixture';
import { copyExamples, SSHCC, THIN_CLIENT } from './support/build-project';
import { buildReference, expectMatchesReference, OBJ_DIR, REF_DIR } from './support/build-reference';
import type { BuildSession } from './support/build-session';
import { departureText } from '@sshcc/core';

/** A smaller build for the tests about how sshcc is invoked: the C program and one C++ object. */
const SMALL_TARGETS = [`${OBJ_DIR}/wordcount`, `${OBJ_DIR}/format.o`];
const SMALL_OBJECTS = ['strbuf', 'hashmap', 'tokenize', 'wc', 'main', 'format'].map((name) => `${OBJ_DIR}/${name}.o`);
const EXAMPLE_OBJECTS = ['strbuf', 'hashmap', 'tokenize', 'wc', 'main', 'ngrams', 'split', 'format', 'ngrams_main'].map((name) => `${OBJ_DIR}/${name}.o`);

let examples: string;

const fixture = useBuildFixture({
  name: 'sshcc-e2e-work-',
  prepare(work) {
    examples = copyExamples(work);
    buildReference(examples);
  },
  prepareMs: 60_000,
  projects: () => [examples],
});

/** The build matches the local one: the objects and .d files it made, and what its programs print. */
function expectSameAsLocal(project: string, objects: readonly string[]): void {
  expectMatchesReference(project, objects);
  const input = 'the cat saw the dog\nthe dog saw the cat\n';
  for (const [program, arg] of [['wordcount', '3'], ['ngrams', '2']] as const) {
    if (!existsSync(join(project, OBJ_DIR, program))) continue;
    const ran = execFileSync(join(project, OBJ_DIR, program), [arg], { input, encoding: 'utf8' });
    expect(ran).toBe(execFileSync(join(project, REF_DIR, program), [arg], { input, encoding: 'utf8' }));
  }
}

function expectAllRemote(s: BuildSession, objects: readonly string[]): Set<string> {
  const jobs = s.compileJobs();
  expect(jobs.map((job) => job.output).sort()).toEqual([...objects].sort());
  expect(jobs.filter((job) => job.host === null)).toEqual([]);
  return new Set(jobs.map((job) => job.host as string));
}

test('`sshcc` here is the C shim (an ELF executable), not the sh launcher of the TS client', () => {
  expect(readFileSync(SSHCC).subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
});

describe('make -j8 of examples/ through two volunteers', () => {
  test.each([
    ['the C shim', [SSHCC]],
    ['the TS thin client', [process.execPath, THIN_CLIENT]],
  ])(
    'with %s: every compile runs remotely on both volunteers; objects and .d files match a local build',
    async (_kind, client) => {
      const session = await fixture.start({ volunteers: 2 });
      const cc = [...client, 'gcc'].join(' ');
      const cxx = [...client, 'g++'].join(' ');
      const make = await session.run(['make', '-j8', `O=${OBJ_DIR}`, `CC=${cc}`, `CXX=${cxx}`], { cwd: examples });
      expect(make.stderr).toBe('');
      expect(make.code).toBe(0);
      const hosts = expectAllRemote(session, EXAMPLE_OBJECTS);
      expect([...hosts].sort()).toEqual([session.hostOf(0), session.hostOf(1)].sort());
      expectSameAsLocal(examples, EXAMPLE_OBJECTS);
      expect(existsSync(join(examples, OBJ_DIR, 'ngrams'))).toBe(true);
      expect(session.volunteerLeftovers()).toEqual([]);
    },
    90_000,
  );
});

test('launcher mode (CMake-style `sshcc /usr/bin/gcc`) builds remotely and matches a local build', async () => {
  const session = await fixture.start({ volunteers: 1 });
  const gcc = execFileSync('sh', ['-c', 'command -v gcc'], { encoding: 'utf8' }).trim();
  const gxx = execFileSync('sh', ['-c', 'command -v g++'], { encoding: 'utf8' }).trim();
  const make = await session.run(['make', '-j8', `O=${OBJ_DIR}`, `CC=${SSHCC} ${gcc}`, `CXX=${SSHCC} ${gxx}`, ...SMALL_TARGETS], { cwd: examples });
  expect(make.stderr).toBe('');
  expect(make.code).toBe(0);
  expectAllRemote(session, SMALL_OBJECTS);
  expectSameAsLocal(examples, SMALL_OBJECTS);
}, 90_000);

test('masquerade: `gcc` and `g++` first on PATH are sshcc; compiles run remotely, the real compiler is found, no recursion', async () => {
  const session = await fixture.start({ volunteers: 1 });
  const links = join(session.dir, 'masq');
  const masq = spawnSync(SSHCC, ['masquerade', links], { env: session.env, encoding: 'utf8' });
  expect(masq.status).toBe(0);
  const env = { ...session.env, PATH: `${links}:${session.env.PATH ?? ''}` };
  expect(execFileSync('sh', ['-c', 'command -v gcc'], { env, encoding: 'utf8' }).trim()).toBe(join(links, 'gcc'));
  const make = await session.run(['make', '-j8', `O=${OBJ_DIR}`, 'CC=gcc', 'CXX=g++', ...SMALL_TARGETS], { cwd: examples, env });
  expect(make.stderr).toBe('');
  expect(make.code).toBe(0);
  expectAllRemote(session, SMALL_OBJECTS);
  // The link ran through sshcc too, and was answered "run the real one here".
  expect(session.jobs().filter((job) => job.host === null).map((job) => job.output)).toEqual(['gcc']);
  expectSameAsLocal(examples, SMALL_OBJECTS);
}, 90_000);

/** name → content of every file in dir. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'latin1')]));
}

const WARNS_C = ['#include <stdio.h>', '#warning careful', 'int f(int x) {', '  int unused;', '  return x;', '}', ''].join('\n');

describe('diagnostics', () => {
  const BROKEN_C = [
    '#include <stdio.h>',
    'static int twice(int x) { return 2 * x; }',
    'int main(void) {',
    '  int unused;',
    '  printf("%d\\n", twice(undeclared));',
    '  return missing_function(3)',
    '}',
    '',
  ].join('\n');
  const MISSING_HEADER_C = ['#include <stdio.h>', '#include "nowhere.h"', 'int main(void) { return 0; }', ''].join('\n');

  test.each([
    ['a compile error (on the volunteer)', BROKEN_C, /error: 'undeclared' undeclared/, null],
    ['a preprocessor error (here)', MISSING_HEADER_C, /fatal error: nowhere\.h: No such file/, /preprocessing failed/],
  ])('%s shows the same diagnostics, exit code and files as gcc itself', async (_case, source, message, why) => {
    const session = await fixture.start({ volunteers: 1 });
    const dir = join(session.dir, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'broken.c'), source);
    const args = ['-Wall', '-O2', '-MD', '-c', 'broken.c', '-o', 'broken.o'];
    // An object from an earlier good build: gcc 12 leaves it when cc1 fails (it deletes -o only when `as` fails).
    writeFileSync(join(dir, 'broken.o'), 'earlier');
    const local = spawnSync('gcc', args, { cwd: dir, env: session.env, encoding: 'utf8' });
    expect(local.status).not.toBe(0);
    expect(local.stderr).toMatch(message);
    const localFiles = snapshot(dir);
    for (const name of readdirSync(dir)) if (name !== 'broken.c') rmSync(join(dir, name));
    writeFileSync(join(dir, 'broken.o'), 'earlier');

    const through = await session.run([SSHCC, 'gcc', ...args], { cwd: dir });
    expect(through.stderr).toBe(local.stderr);
    expect(through.stdout).toBe(local.stdout);
    expect(through.code).toBe(local.status);
    expect(snapshot(dir)).toEqual(localFiles);
    const jobs = session.compileJobs();
    expect(jobs).toHaveLength(1);
    // A compile error is the volunteer's answer (its diagnostics are exact); a cpp error is this machine's.
    if (why === null) expect(jobs[0]?.host).toBe(session.hostOf(0));
    else expect(jobs[0]?.why).toMatch(why);
  }, 60_000);

  test.each([
    ['a source named like the volunteer\'s input (cwd)', 'warns.c', [] as string[]],
    ['a source in a subfolder', 'src/warns.c', [] as string[]],
  ])('a compile that warns, %s, prints gcc\'s own warnings, source quotes included', async (_case, source, extra) => {
    const session = await fixture.start({ volunteers: 1 });
    const dir = join(session.dir, 'warns');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, source), WARNS_C);
    const args = [...extra, '-Wall', '-O2', '-c', source, '-o', 'warns.o'];
    const local = spawnSync('gcc', args, { cwd: dir, env: session.env, encoding: 'utf8' });
    expect(local.status).toBe(0);
    expect(local.stderr).toMatch(/warning: #warning careful.*\n.*\| #warning careful/);
    expect(local.stderr).toMatch(/warning: unused variable 'unused'.*\n.*\|   int unused;/);
    const reference = readFileSync(join(dir, 'warns.o'));
    rmSync(join(dir, 'warns.o'));

    const through = await session.run([SSHCC, 'gcc', ...args], { cwd: dir });
    expect(through.stderr).toBe(local.stderr);
    expect(through.code).toBe(0);
    expect(readFileSync(join(dir, 'warns.o')).equals(reference)).toBe(true);
    // #warning is cpp's, printed before the compile's words where gcc -c interleaves them: rerun here.
    expect(session.compileJobs().map((job) => job.why)).toEqual([departureText('preprocessor-diagnostics', session.hostOf(0))]);
  }, 60_000);

  test('with source quotes off (-fno-diagnostics-show-caret) too the warnings come from the volunteer, as gcc prints them', async () => {
    const session = await fixture.start({ volunteers: 1 });
    const dir = join(session.dir, 'warns');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src/warns.c'), WARNS_C.replace('#warning careful\n', ''));
    const args = ['-fno-diagnostics-show-caret', '-Wall', '-O2', '-c', 'src/warns.c', '-o', 'warns.o'];
    const local = spawnSync('gcc', args, { cwd: dir, env: session.env, encoding: 'utf8' });
    expect(local.stderr).toMatch(/warning: unused variable 'unused'/);
    const through = await session.run([SSHCC, 'gcc', ...args], { cwd: dir });
    expect(through.stderr).toBe(local.stderr);
    expect(through.code).toBe(0);
    expect(session.compileJobs().map((job) => job.host)).toEqual([session.hostOf(0)]);
  }, 60_000);
});
