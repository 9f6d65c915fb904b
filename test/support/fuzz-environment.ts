// The fuzzed server's world: a private root with its TMPDIR (where job dirs appear and must vanish), a
// canary dir (every absolute path the fuzzer names lies inside it; it must stay empty), a config dir of
// its own, and a PATH holding only gcc and as, so the hello is cheap and nothing else can be run.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FuzzEnvironment {
  readonly root: string;
  readonly tmp: string;
  readonly canary: string;
  /** The server's environment (PATH, HOME, TMPDIR, XDG_CONFIG_HOME). */
  readonly env: NodeJS.ProcessEnv;
  /** Files in TMPDIR or the canary dir: after every sequence there must be none. */
  leftovers(): string[];
  /** Removes leftovers, so the next sequence is judged on its own. */
  clear(): void;
  remove(): void;
}

export function makeFuzzEnvironment(): FuzzEnvironment {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-fuzz-')));
  const [tmp, canary, config, bin, home] = ['tmp', 'canary', 'config', 'bin', 'home'].map((name) => join(root, name)) as [string, string, string, string, string];
  for (const dir of [tmp, canary, config, bin, home]) mkdirSync(dir);
  for (const tool of ['gcc', 'as']) {
    symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
  }
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: home, TMPDIR: tmp, XDG_CONFIG_HOME: config, LANG: 'C' };
  const leftovers = (): string[] => [...readdirSync(tmp).map((name) => join(tmp, name)), ...readdirSync(canary).map((name) => join(canary, name))];
  return {
    root,
    tmp,
    canary,
    env,
    leftovers,
    clear: () => {
      for (const path of leftovers()) rmSync(path, { recursive: true, force: true });
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Live (not zombie) children of this process: compilers or watchdogs a server left running. `except`:
 * children that were there before (a jest worker runs other test files first, whose stragglers are not
 * this test's).
 */
export function liveChildren(except: readonly number[] = []): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[1]) === process.pid && !except.includes(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Processes whose cwd lies inside `dir` (a compiler in a job dir), wherever they were reparented. */
export function processesInside(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/stat`, 'latin1').includes(') Z ')) continue;
      // A removed job dir still shows as the cwd of a process inside it, marked so.
      const cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}
