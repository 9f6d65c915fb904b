import { openSync, renameSync, statSync, writeSync } from 'node:fs';

/** The log is kept to one old generation of this size: the agent lives long but says little. */
export const MAX_LOG_BYTES = 1024 * 1024;

/**
 * A logger that appends time-stamped lines to `file` (rotated to `file.1` at start when too big).
 * The file stays open: the agent logs a line per job, and an open-write-close per line on its one
 * thread was time every other job waited. Each line is still one write, so none is lost at an exit.
 */
export function fileLog(file: string): (line: string) => void {
  try {
    if (statSync(file).size > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  let fd: number | undefined;
  return (line) => {
    try {
      fd ??= openSync(file, 'a', 0o600);
      writeSync(fd, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
    } catch {
      // a log that cannot be written must not stop compiles
    }
  };
}
