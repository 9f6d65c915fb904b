import { appendFileSync, renameSync, statSync } from 'node:fs';

/** The log is kept to one old generation of this size: the agent lives long but says little. */
export const MAX_LOG_BYTES = 1024 * 1024;

/** A logger that appends time-stamped lines to `file` (rotated to `file.1` at start when too big). */
export function fileLog(file: string): (line: string) => void {
  try {
    if (statSync(file).size > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  return (line) => {
    try {
      appendFileSync(file, `${new Date().toISOString()} [${process.pid}] ${line}\n`, { mode: 0o600 });
    } catch {
      // a log that cannot be written must not stop compiles
    }
  };
}
