import { accessSync, constants } from 'node:fs';

/** coreutils' nice, where Debian and others put it; looked up once, not on the build's PATH. */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/**
 * argv run at the lowest priority (nice 19), so work nobody waits on yields the CPU to the build's own.
 * Through nice(1) rather than renicing after the spawn: the compiler's cc1 and as inherit it from their
 * first instruction, with no window in which they run at the build's priority. Without nice, as is.
 */
export function atLowPriority(argv: readonly string[]): string[] {
  return NICE === undefined ? [...argv] : [NICE, '-n', '19', ...argv];
}
