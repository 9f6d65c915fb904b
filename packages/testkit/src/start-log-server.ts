import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of a start log: a server start numbered `n`, when it became `then`, or when a hung one ended. */
export interface StartLine {
  readonly what: 'start' | 'ready' | 'end';
  readonly n: number;
  /** ms, on the wall clock. */
  readonly at: number;
}

export interface StartLogServer {
  /** The server command to give a volunteer or a pool (`serverCommand`). */
  readonly script: string;
  /** The log so far (empty before the first start). */
  lines(): StartLine[];
}

export interface StartLogOptions {
  /** What each start becomes once logged: a command line exec'd by sh (the real server, or `cat`). */
  readonly then: string;
  /** Seconds each start waits before that, as a slow-to-start server would. */
  readonly delaySeconds?: number;
  /** Starts (1-based) that never answer: they read stdin to its end and log `end N`. */
  readonly hangOn?: readonly number[];
}

/**
 * Writes `<dir>/server`, a server command that numbers each of its starts (under a lock, so concurrent
 * starts get distinct numbers), logs `start N` to `<dir>/starts.log`, and then becomes `then`
 * (logging `ready N`) or, for the starts in `hangOn`, hangs until its channel closes. For tests of how
 * many servers a pool starts at once, and of what a server that never says hello costs.
 */
export function writeStartLogServer(dir: string, options: StartLogOptions): StartLogServer {
  const log = join(dir, 'starts.log');
  const script = join(dir, 'server');
  const delay = options.delaySeconds ?? 0;
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `exec 9>>${dir}/lock`,
      'flock 9',
      `n=$(( $(cat ${dir}/count 2>/dev/null || echo 0) + 1 ))`,
      `echo $n > ${dir}/count`,
      'exec 9>&-',
      `echo "start $n $(date +%s%N)" >> ${log}`,
      ...(delay > 0 ? [`sleep ${delay}`] : []),
      `case " ${(options.hangOn ?? []).join(' ')} " in *" $n "*) cat >/dev/null; echo "end $n $(date +%s%N)" >> ${log}; exit 0;; esac`,
      `echo "ready $n $(date +%s%N)" >> ${log}`,
      `exec ${options.then}`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { script, lines: () => readStartLog(log) };
}

function readStartLog(log: string): StartLine[] {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    // no start yet
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [what, n, ns] = line.split(' ');
      return { what: what as StartLine['what'], n: Number(n), at: Number(BigInt(ns as string) / 1_000_000n) };
    });
}
