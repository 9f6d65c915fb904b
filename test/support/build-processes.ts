// /proc scans for the end-to-end builds: which processes a session started (the agent is detached in
// its own session, so it is found by the SSHCC_DIR in its environment) and which compilers still run.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  /** The executable's name (comm), e.g. `cc1plus`. */
  readonly name: string;
  readonly argv: string[];
  /** '' when unreadable. */
  readonly cwd: string;
}

/** Live (not zombie) processes other than this one. */
export function listProcesses(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (/^\d+ \(.*\) Z/s.test(stat)) continue;
      const name = readFileSync(`/proc/${entry}/comm`, 'latin1').trim();
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').filter((arg) => arg !== '');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // another user's process
      }
      found.push({ pid: Number(entry), name, argv, cwd });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** pids whose environment holds `marker` (e.g. `SSHCC_DIR=/tmp/...`). */
export function processesWithEnvironment(marker: string): number[] {
  return listProcesses().flatMap((info) => {
    try {
      return readFileSync(`/proc/${info.pid}/environ`, 'latin1').split('\0').includes(marker) ? [info.pid] : [];
    } catch {
      return [];
    }
  });
}

const COMPILER_PROCESS = /^(cc1|cc1plus|cc1obj|as|collect2|ld|gcc|g\+\+|cc|c\+\+)$/;

/** Compiler processes (driver, cc1/cc1plus, as) whose cwd or arguments lie under `dir`. */
export function compilersUnder(dir: string): ProcessInfo[] {
  return listProcesses().filter(
    (info) => COMPILER_PROCESS.test(info.name) && (info.cwd.startsWith(dir) || info.argv.some((arg) => arg.includes(dir))),
  );
}

/** SIGKILLs what `find` returns until it returns nothing (or 5 s pass). */
export async function killProcesses(find: () => number[]): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const pids = find();
    if (pids.length === 0 || Date.now() > deadline) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls `check` until it returns true or `ms` pass; returns its last answer. */
export async function waitFor(check: () => boolean, ms: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
