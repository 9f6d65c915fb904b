import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The cross compiler the toolchain tests push (Debian's gcc-aarch64-linux-gnu). */
export const CROSS_GCC = 'aarch64-linux-gnu-gcc';

/**
 * Every compiler this machine has and what cc1 loads (libisl, libmpc, libmpfr, libgmp), for a volunteer
 * that must be able to run none of them: give it as startVolunteer's `hide`. Not /usr/bin/ld.so or libc:
 * everything, sshd and node included, needs those.
 */
export function compilersHere(): string[] {
  const names = ['gcc', 'g++', 'cc', 'c++', 'cpp', 'as', 'clang', 'clang++', 'gcc-11', 'gcc-12', 'g++-12', CROSS_GCC, 'aarch64-linux-gnu-as'];
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir.startsWith('/'));
  const programs = names.flatMap((name) => dirs.map((dir) => join(dir, name))).filter((path) => existsSync(path));
  const cc1 = execFileSync('gcc', ['-print-prog-name=cc1'], { encoding: 'utf8' }).trim();
  const libraries = execFileSync('ldd', [cc1], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => /(lib(?:isl|mpc|mpfr|gmp)\S*) => (\S+)/.exec(line)?.[2] ?? []);
  return [...programs, ...libraries, ...['/usr/lib/gcc', '/usr/lib/gcc-cross'].filter((dir) => existsSync(dir))];
}
