// What the toolchain-push tests share: the compilers a volunteer must not see (testkit's), the multi-file project
// they build, an agent's environment for a volunteer, its job and pack log lines, and the check that
// sshcc's objects are gcc's own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Volunteer } from '@sshcc/testkit';
import { SSHCC } from './build-project';
import { debugDifference } from './build-compare';
import { runCaptured, type CapturedRun } from './captured-run';
import { agentLog } from './private-agent';

export const PROJECT_FILES = ['alpha', 'beta', 'gamma', 'delta', 'main'];
export { compilersHere, CROSS_GCC as CROSS } from '@sshcc/testkit';

/** A small C project in `dir`: PROJECT_FILES sharing one header, built by `make` with $(CC) and $(CFLAGS). */
export function writePushProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'shared.h'), '#include <stdio.h>\n#define SCALE(x) ((x) * 3 + 1)\nint alpha(int), beta(int), gamma_(int), delta(int);\n');
  for (const [i, name] of PROJECT_FILES.entries()) {
    const body = name === 'main' ? 'int main(void) { printf("%d\\n", alpha(1) + beta(2) + gamma_(3) + delta(4)); return 0; }' : `int ${name === 'gamma' ? 'gamma_' : name}(int v) { return SCALE(v) + ${i}; }`;
    writeFileSync(join(dir, `${name}.c`), `#include "shared.h"\n${body}\n`);
  }
  writeFileSync(join(dir, 'Makefile'), `OBJS = ${PROJECT_FILES.map((f) => `${f}.o`).join(' ')}\nall: $(OBJS)\n%.o: %.c shared.h\n\t$(CC) $(CFLAGS) -c $< -o $@\nclean:\n\trm -f $(OBJS)\n`);
}

/**
 * An agent of its own under `<root>/<name>` (SSHCC_DIR, XDG_CACHE_HOME, SSHCC_LOG) for `volunteer`, two
 * slots, no result cache: compiles, not cache hits, are what these tests measure.
 */
export function pushAgentEnv(root: string, volunteer: Volunteer, name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', LC_ALL: 'C' };
  for (const variable of ['SSH_AUTH_SOCK', 'SSHCC_SERVER_COMMAND', 'DISTCC_HOSTS', 'SSHCC_VERBOSE', 'MAKEFLAGS', 'MFLAGS']) delete env[variable];
  return {
    ...env,
    SSHCC_DIR: join(root, name, 'sshcc'),
    XDG_CACHE_HOME: join(root, name, 'cache'),
    SSHCC_LOG: join(root, name, 'jobs.log'),
    SSHCC_CACHE: '0',
    SSHCC_HOSTS: `${volunteer.alias}/2`,
    SSHCC_SSH_CONFIG: volunteer.sshConfigFile,
    SSHCC_KNOWN_HOSTS: volunteer.knownHostsFile,
    ...extra,
  };
}

export function makeProject(project: string, env: NodeJS.ProcessEnv, cflags: string): Promise<CapturedRun> {
  return runCaptured(['make', '-j4', `CC=${SSHCC} gcc`, `CFLAGS=${cflags}`], { cwd: project, env });
}

export function jobLines(env: NodeJS.ProcessEnv): string[] {
  const file = env.SSHCC_LOG as string;
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

/** The agent's log lines about toolchain packs: one per push, `in place: …` or `not pushed: …`. */
export function packLines(env: NodeJS.ProcessEnv): string[] {
  return agentLog(env).split('\n').filter((line) => line.includes('toolchain pack'));
}

/**
 * Objects built by sshcc in `project` equal gcc's own with the same flags in the same dir: byte for byte,
 * or with -g as every sshcc -g object does (DESIGN.md's measured fact: only DW_AT_producer differs, from
 * -fdirectives-only; debugDifference).
 */
export function expectLocalObjects(project: string, cflags: string): void {
  for (const name of PROJECT_FILES) {
    const local = join(project, `${name}.local.o`);
    execFileSync('gcc', [...cflags.split(' '), '-c', `${name}.c`, '-o', local], { cwd: project });
    const same = readFileSync(join(project, `${name}.o`)).equals(readFileSync(local));
    expect({ name, cflags, difference: same ? null : cflags.includes('-g') ? debugDifference(local, join(project, `${name}.o`)) : 'bytes differ' }).toEqual({ name, cflags, difference: null });
    rmSync(local);
  }
}
