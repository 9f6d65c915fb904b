// A mirrored job against the BUILT sshcc-server: gcc's directives-only output of a small project (a
// header by a relative path with `..`, one by an absolute path, system headers) compiled in the job's
// mirror prints byte for byte what `gcc -c` prints in the project itself, warnings and errors alike,
// and the object is the one the same job gives without a mirror.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '@sshcc/protocol';
import { gccJobSpec } from './test-job-spec';
import { cleanUp, connect, startServer, testRoot } from './test-server';

afterEach(cleanUp);

const WARNINGS = ['-Wall', '-Wextra', '-Wconversion'];

/** A project in `root/proj`: src/a.c includes ../inc/m.h relatively and <root>/abs/n.h absolutely. */
function project(root: string, main: string): string {
  const dir = join(root, 'proj');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'inc'));
  mkdirSync(join(root, 'abs'));
  writeFileSync(join(dir, 'inc', 'm.h'), '#define TWICE(x) ((x) + (x))\nstatic inline int h(unsigned u) { int r = u; return r; }\n');
  writeFileSync(join(root, 'abs', 'n.h'), '#include <string.h>\nstatic inline unsigned short narrow(long v) { return v; }\n');
  writeFileSync(join(dir, 'src', 'a.c'), main.replace('ABS', join(root, 'abs', 'n.h')));
  return dir;
}

const MAIN = `#include <stdio.h>
#include "../inc/m.h"
#include "ABS"
int f(long v) {
\tint x = TWICE(v);
  unused: ;
  return x + (int)strlen(v) + narrow(v);
}
`;

function gcc(dir: string, args: string[]) {
  return spawnSync('gcc', args, { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 });
}

function mirroredJob(dir: string, fields: Partial<JobSpec> = {}): Promise<JobSpec> {
  return gccJobSpec(dir, { args: ['-c', '-fdirectives-only', ...WARNINGS], lang: 'cpp-output', input: 'a.i', output: 'a.o', env: { LC_ALL: 'C' }, mirror: true, ...fields });
}

describe('a job compiled in a mirror of the client files', () => {
  it('prints the warnings and notes of a local gcc -c byte for byte, quoting headers by relative and absolute paths', async () => {
    const root = testRoot();
    const dir = project(root, MAIN);
    const local = gcc(dir, ['-c', ...WARNINGS, 'src/a.c', '-o', 'local.o']);
    expect(local.status).toBe(0);
    expect(local.stderr.toString()).toContain('note: expected');
    const source = gcc(dir, ['-E', '-fdirectives-only', ...WARNINGS, 'src/a.c']).stdout;
    const server = startServer(root);
    const session = await connect(server);
    const result = await session.runJob(await mirroredJob(dir), source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, mirrored: true });
    expect(result.stderr.toString()).toBe(local.stderr.toString());
    // The object is the one the same job gives without a mirror, -g included.
    const plain = await session.runJob(await mirroredJob(dir, { mirror: undefined, args: ['-c', '-g', '-fdirectives-only'] }), source);
    const mirrored = await session.runJob(await mirroredJob(dir, { args: ['-c', '-g', '-fdirectives-only'] }), source);
    expect(plain.mirrored).toBe(false);
    expect(mirrored.outputs.get('a.o')).toEqual(plain.outputs.get('a.o'));
    await session.close();
    await server.exited;
    expect(readdirSync(server.tmp)).toEqual([]);
  });

  it('answers a failing compile with the exit status and the errors of a local one', async () => {
    const root = testRoot();
    const dir = project(root, MAIN.replace('return x', 'return y'));
    const local = gcc(dir, ['-c', ...WARNINGS, 'src/a.c', '-o', 'local.o']);
    expect(local.status).toBe(1);
    const source = gcc(dir, ['-E', '-fdirectives-only', ...WARNINGS, 'src/a.c']).stdout;
    const session = await connect(startServer(root));
    const result = await session.runJob(await mirroredJob(dir), source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 1, mirrored: true });
    expect(result.stderr.toString()).toBe(local.stderr.toString());
    expect(result.outputs.size).toBe(0);
  });

  it('quotes each job its own files on one channel: a header changed or dropped since the last job is not the old one', async () => {
    const root = testRoot();
    const dir = project(root, MAIN);
    const session = await connect(startServer(root));
    const compile = async () => {
      const local = gcc(dir, ['-c', ...WARNINGS, 'src/a.c', '-o', 'local.o']);
      const source = gcc(dir, ['-E', '-fdirectives-only', ...WARNINGS, 'src/a.c']).stdout;
      const result = await session.runJob(await mirroredJob(dir), source);
      expect(result).toMatchObject({ kind: 'compiled', exitCode: local.status, mirrored: true });
      expect(result.stderr.toString()).toBe(local.stderr.toString());
      return result.stderr.toString();
    };
    const first = await compile();
    // The same line number, another text: a mirror that kept the first header would quote the old line.
    writeFileSync(join(dir, 'inc', 'm.h'), '#define TWICE(x) ((x) + (x))\nstatic inline int h(unsigned long u) { int changed = u; return changed; }\n');
    const second = await compile();
    expect(second).not.toBe(first);
    expect(second).toContain('int changed = u;');
    // And a header the next job no longer includes is gone from the mirror.
    writeFileSync(join(dir, 'src', 'a.c'), MAIN.replace('#include "../inc/m.h"\n', '#define TWICE(x) ((x) + (x))\n').replace('ABS', join(root, 'abs', 'n.h')));
    await compile();
    expect(readdirSync(join(root, 'tmp')).flatMap((name) => (existsSync(join(root, 'tmp', name, 'root', dir, 'inc', 'm.h')) ? [name] : []))).toEqual([]);
  });

  it('writes nothing outside the job dir for a marker that climbs out of it, and then promises no mirror', async () => {
    const root = testRoot();
    const dir = project(root, MAIN);
    const escape = '../'.repeat(dir.split('/').length + 2) + 'sshcc-mirror-escape.h';
    const source = Buffer.from(`# 0 "src/a.c"\n# 1 "${escape}" 1\nint from_outside;\n# 2 "src/a.c" 2\nint main(void) { return 0; }\n`);
    const server = startServer(root);
    const session = await connect(server);
    const result = await session.runJob(await mirroredJob(dir, { args: ['-c', '-fdirectives-only'] }), source);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0, mirrored: false });
    expect(existsSync('/sshcc-mirror-escape.h')).toBe(false);
    expect(existsSync(join(server.tmp, '..', 'sshcc-mirror-escape.h'))).toBe(false);
  });
});
