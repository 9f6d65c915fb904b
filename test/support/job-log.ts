// SSHCC_LOG as the tests read it: one line per compile, saying where it ran or why it ran here.
import { existsSync, readFileSync } from 'node:fs';

/**
 * One SSHCC_LOG line, in one of the three shapes of packages/client/src/compile/compile-note.ts:
 * `sshcc: <output>: compiled on <host> (<ms> ms)`, `...: compiled locally: <why>` or
 * `...: answered from the result cache` (`... without running the preprocessor (direct mode)` for a direct hit).
 */
export interface JobLine {
  readonly output: string;
  /** The host spec it compiled on; null when it compiled locally or was answered from the cache. */
  readonly host: string | null;
  /** Why it compiled locally; null otherwise. */
  readonly why: string | null;
  /** Set (true) only on a line of a job the agent's result cache answered: nothing compiled, anywhere. */
  readonly cached?: true;
  /** Set (true) only when that cache answer came without a cpp run (direct mode). */
  readonly direct?: true;
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
  // Before the cache's shape, which a local line whose why ends the same way would match too.
  const local = /^sshcc: (.*?): compiled locally: (.*)$/.exec(line);
  if (local) return { output: local[1] as string, host: null, why: local[2] as string };
  const cached = /^sshcc: (.*): answered from the result cache( without running the preprocessor \(direct mode\))?$/.exec(line);
  if (cached) return { output: cached[1] as string, host: null, why: null, cached: true, ...(cached[2] ? { direct: true as const } : {}) };
  throw new Error(`unexpected SSHCC_LOG line: ${line}`);
}
