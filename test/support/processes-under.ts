import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly name: string;
}

/**
 * Live processes (zombies left out: they run nothing and hold no files) whose cwd or command line
 * lies in `dir`. A compile on the volunteer runs in its job dir under the server's TMPDIR, so the
 * driver, cc1/cc1plus and as all show up here while it runs, and nothing once it is killed.
 */
export function processesUnder(dir: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ...: comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const state = stat.slice(close + 2, close + 3);
      if (state === 'Z' || state === 'X') continue;
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // a kernel thread, or a process on its way out
      }
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(`${dir}/`)) found.push({ pid: Number(entry), name });
    } catch {
      // gone between readdir and read
    }
  }
  return found;
}

export async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}
