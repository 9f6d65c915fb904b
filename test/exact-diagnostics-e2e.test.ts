// Compiles that warn or fail run once, on the volunteer, and print byte for byte what gcc prints here:
// through the real C shim (which checks cpp's lines and puts directives back), a real agent and a real
// sshd volunteer (which rebuilds the files and compiles in that mirror). The cases gcc's own design
// keeps from that (-Wformat carets, cpp's #warning) are rerun here under their own names.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { departureText } from '@sshcc/core';
import { useBuildFixture } from './support/build-fixture';
import { SSHCC } from './support/build-project';
import type { BuildSession } from './support/build-session';

const fixture = useBuildFixture({ name: 'sshcc-diagnostics-e2e-', prepare: () => undefined, prepareMs: 1000, projects: () => [] });

const WARNINGS = ['-Wall', '-Wextra', '-Wconversion', '-O2'];

/** A project with macros spelled every which way, a header by `..`, one by an absolute path, and system headers. */
function project(session: BuildSession): string {
  const dir = join(session.dir, 'proj');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'inc'), { recursive: true });
  mkdirSync(join(session.dir, 'abs'), { recursive: true });
  writeFileSync(join(dir, 'inc', 'm.h'), '#  define  TWICE( x )   ((x)+ (x))\n#define ADD(a, b) \\\n  ((a) + \\\n   (b))   /* spans\n   lines */\nstatic inline int h(unsigned u) { int r = u; return r; }\n');
  writeFileSync(join(session.dir, 'abs', 'n.h'), '#include <string.h>\nstatic inline unsigned short narrow(long v) { return v; }\n');
  writeFileSync(
    join(dir, 'src', 'main.c'),
    `#include <stdio.h>\n#include "../inc/m.h"\n#include "${join(session.dir, 'abs', 'n.h')}"\nint f(long v) {\n\tint x = TWICE(v);\n  short y = ADD(v, 1);\n  unused: ;\n  return x + y + (int)strlen(v) + narrow(v);\n}\n`,
  );
  return dir;
}

async function compareWithLocal(session: BuildSession, dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const local = spawnSync('gcc', args, { cwd: dir, env: { ...session.env, ...env }, encoding: 'latin1' });
  const reference = local.status === 0 ? readFileSync(join(dir, 'out.o')) : null;
  rmSync(join(dir, 'out.o'), { force: true });
  const through = await session.run([SSHCC, 'gcc', ...args], { cwd: dir, env: { ...session.env, ...env } });
  expect(through.stderr).toBe(local.stderr);
  expect(through.code).toBe(local.status);
  if (reference !== null) expect(readFileSync(join(dir, 'out.o')).equals(reference)).toBe(true);
  return { local, jobs: session.compileJobs() };
}

describe('diagnostics from the volunteer', () => {
  it('warnings and notes in macros, headers by relative and absolute paths, system headers: once, remotely, as gcc prints them', async () => {
    const session = await fixture.start({ volunteers: 1 });
    const dir = project(session);
    const { local, jobs } = await compareWithLocal(session, dir, [...WARNINGS, '-c', 'src/main.c', '-o', 'out.o']);
    expect(local.stderr).toMatch(/in expansion of macro 'ADD'[\s\S]*note: expected 'const char \*'/);
    expect(jobs.map((job) => job.host)).toEqual([session.hostOf(0)]);
  }, 60_000);

  it('an error: the same words and exit status, from the volunteer, and no object written', async () => {
    const session = await fixture.start({ volunteers: 1 });
    const dir = project(session);
    writeFileSync(join(dir, 'src', 'main.c'), readFileSync(join(dir, 'src', 'main.c'), 'utf8').replace('return x', 'return missing'));
    writeFileSync(join(dir, 'out.o'), 'earlier');
    const args = [...WARNINGS, '-c', 'src/main.c', '-o', 'out.o'];
    const local = spawnSync('gcc', args, { cwd: dir, env: session.env, encoding: 'latin1' });
    expect(local.status).toBe(1);
    const through = await session.run([SSHCC, 'gcc', ...args], { cwd: dir });
    expect(through.stderr).toBe(local.stderr);
    expect(through.code).toBe(1);
    expect(readFileSync(join(dir, 'out.o'), 'utf8')).toBe('earlier');
    expect(session.compileJobs().map((job) => job.host)).toEqual([session.hostOf(0)]);
  }, 60_000);

  it('in colour, asked for on the command line', async () => {
    const session = await fixture.start({ volunteers: 1 });
    const dir = project(session);
    const { local, jobs } = await compareWithLocal(session, dir, [...WARNINGS, '-fdiagnostics-color=always', '-c', 'src/main.c', '-o', 'out.o']);
    expect(local.stderr).toContain('\u001b[');
    expect(jobs.map((job) => job.host)).toEqual([session.hostOf(0)]);
  }, 60_000);

  it.each([
    ['a -Wformat warning (gcc finds its caret only in source without line markers)', 'printf("%d\\n", v);', 'format-diagnostics'],
    ['a #warning (cpp speaks before the compile, where gcc -c interleaves them)', '\n#warning careful\n', 'preprocessor-diagnostics'],
  ] as const)('%s: rerun here, under its own name', async (_what, line, departure) => {
    const session = await fixture.start({ volunteers: 1 });
    const dir = project(session);
    writeFileSync(join(dir, 'src', 'main.c'), readFileSync(join(dir, 'src', 'main.c'), 'utf8').replace('  unused: ;\n', `  ${line}\n`));
    const { jobs } = await compareWithLocal(session, dir, [...WARNINGS, '-c', 'src/main.c', '-o', 'out.o']);
    expect(jobs.map((job) => job.why)).toEqual([departureText(departure, session.hostOf(0))]);
  }, 60_000);
});
