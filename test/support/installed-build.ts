// What the install-server tests check once a volunteer is installed: a three-file make project built
// through it, every object compiled there and identical to a local build, the program linked and run.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SSHCC } from './build-project';
import { runCaptured } from './captured-run';

const SOURCES: Record<string, string> = {
  'shape.h': 'struct point { int x, y; };\nint norm(struct point p);\nint twice(int v);\n',
  'norm.c': '#include "shape.h"\nint norm(struct point p) { return p.x * p.x + p.y * p.y; }\n',
  'twice.c': '#include "shape.h"\nint twice(int v) { return 2 * v; }\n',
  'main.c': '#include <stdio.h>\n#include "shape.h"\nint main(void) { struct point p = {3, 4}; printf("%d\\n", twice(norm(p))); return 0; }\n',
  Makefile: 'OBJS = norm.o twice.o main.o\nprog: $(OBJS)\n\tgcc -o $@ $(OBJS)\n%.o: %.c shape.h\n\t$(CC) -O2 -c $< -o $@\n',
};

/**
 * Jest expectations: `make -j2` in `project` (an empty dir) through sshcc with `env` (which names the
 * volunteer `alias`/2 in SSHCC_HOSTS and `log` as SSHCC_LOG) compiles every object there, identical to gcc's.
 */
export async function expectBuildThrough(project: string, env: NodeJS.ProcessEnv, alias: string, log: string, scratch: string): Promise<void> {
  for (const [name, text] of Object.entries(SOURCES)) writeFileSync(join(project, name), text);
  const build = await runCaptured(['make', '-j2', `CC=${SSHCC} gcc`], { cwd: project, env: { ...env, SSHCC_HOSTS: `${alias}/2`, SSHCC_LOG: log } });
  expect(build.stderr).toBe('');
  expect(build.code).toBe(0);
  expect(spawnSync(join(project, 'prog'), { encoding: 'utf8' }).stdout).toBe('50\n');
  expect(readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').sort()).toEqual(
    ['main.o', 'norm.o', 'twice.o'].map((object) => expect.stringMatching(new RegExp(`^sshcc: ${object.replace('.', '\\.')}: compiled on ${alias}/2 \\(\\d+ ms\\)$`))),
  );
  for (const name of ['norm', 'twice', 'main']) {
    const local = join(scratch, `${name}.local.o`);
    expect(spawnSync('gcc', ['-O2', '-c', `${name}.c`, '-o', local], { cwd: project }).status).toBe(0);
    expect(readFileSync(join(project, `${name}.o`)).equals(readFileSync(local))).toBe(true);
  }
}
