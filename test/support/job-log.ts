// SSHCC_LOG as the tests read it: one line per compile, saying where it ran or why it ran here.
import { existsSync, readFileSync } from 'node:fs';

/** One SSHCC_LOG line: `sshcc: <output>: compiled on <host> (<ms> ms)` or `...: compiled locally: <why>`. */
export interface JobLine {
  readonly output: string;
  /** The host spec it compiled on; null when it compiled locally. */
  readonly host: string | null;
  /** Why it compiled locally. */
  readonly why: string | null;
}

/** The lines of the log at `file`, in order; none before the first compile creates it. */
export function readJobLog(file: string): JobLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(parseJobLine);
}

function parseJobLine(line: string): JobLine {
  const remote = /^sshcc: (.*): compiled on (\S+) \(\d+ ms\)$/.exec(line);
  if (remote) return { output: remote[1] as string, host: remote[2] as string, why: null };
  const local = /^sshcc: (.*?): compiled locally: (.*)$/.exec(line);
  if (local) return { output: local[1] as string, host: null, why: local[2] as string };
  throw new Error(`unexpected SSHCC_LOG line: ${line}`);
}
