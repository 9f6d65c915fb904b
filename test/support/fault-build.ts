// Watching a build while a fault happens to it: what was running where, and whether a host that came
// back took work again before the build ended.
import { readdirSync } from 'node:fs';
import { jobLeftovers } from '@sshcc/testkit';
import { compilersUnder, listProcesses, waitFor } from './build-processes';
import type { BuildSession, Running } from './build-session';

/**
 * True once a compile logged after the first `since` lines of SSHCC_LOG ran on `host`; false if the
 * build ended (or `ms` passed) first.
 */
export async function hostTookWorkAgain(session: BuildSession, host: string, since: number, build: Running, ms: number): Promise<boolean> {
  let ended = false;
  void build.done.then(() => (ended = true));
  const took = (): boolean => session.compileJobs().slice(since).some((job) => job.host === host);
  await waitFor(() => took() || ended, ms, 20);
  return took();
}

/**
 * Waits until `done` compiles have finished and some volunteer has a compile in flight; returns that
 * volunteer's index (the first such), or null if none had within `ms`. Faults are aimed at it: a
 * volunteer that is slow to start its servers on a loaded machine must not make a test wait in vain.
 */
export async function volunteerMidJob(session: BuildSession, done: number, ms: number): Promise<number | null> {
  let found: number | null = null;
  await waitFor(
    () => {
      if (session.compileJobs().length < done) return false;
      const i = session.volunteerTmp.findIndex((tmp) => sourcesCompilingUnder(tmp).length > 0);
      if (i === -1) return false;
      found = i;
      return true;
    },
    ms,
    10,
  );
  return found;
}

/**
 * Names of the sources the compilers under `dir` are working on: cc1plus's input file (`gen07.ii`), or, when the
 * volunteer feeds the source into its stdin (input `-`), the `-dumpbase` gcc gives it instead (`gen07`).
 */
export function sourcesCompilingUnder(dir: string): string[] {
  const names = new Set<string>();
  for (const info of compilersUnder(dir)) {
    if (!/^cc1/.test(info.name)) continue;
    const file = info.argv.find((arg, i) => i > 0 && /\.(i|ii|c|cpp|cc)$/.test(arg));
    const dumpbase = info.argv.indexOf('-dumpbase');
    const input = file ?? (info.argv.includes('-') && dumpbase > 0 ? info.argv[dumpbase + 1] : undefined);
    if (input !== undefined) names.add(input.slice(input.lastIndexOf('/') + 1));
  }
  return [...names].sort();
}

/** Files left beside the targets by an interrupted write (`.name.o.sshcc-<hex>.tmp`). */
export function tempFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.includes('.sshcc-'));
  } catch {
    return [];
  }
}

/** Compilers (driver, cc1, as) running with their cwd or arguments under any of `dirs`. */
export function compilersUnderAny(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) => compilersUnder(dir).map((info) => `${info.pid} ${info.name} (under ${dir})`));
}

/** What jobs left in the volunteers' TMPDIRs (testkit's jobLeftovers). */
export function leftoversIn(dirs: readonly string[]): string[] {
  return dirs.flatMap(jobLeftovers);
}

/** Every process whose cwd is `dir` or below (make, clients, compilers of a build there). */
export function processesIn(dir: string): number[] {
  return listProcesses()
    .filter((info) => info.cwd === dir || info.cwd.startsWith(`${dir}/`))
    .map((info) => info.pid);
}
