import { readdirSync, readFileSync } from 'node:fs';

// sshd forks one child per connection and each child forks the session; both call setsid(), so they leave
// sshd's process group. Killing "everything a volunteer started" therefore means walking the parent links
// in /proc, not signalling a group. Synchronous on purpose: the process 'exit' hook may use it.

interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** True while `pid` exists and is not a zombie (a zombie holds no resources; our init may never reap it). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** `root` (if alive) and all its living descendants, parents before children. */
export function processTree(root: number): number[] {
  if (!isAlive(root)) return [];
  const children = new Map<number, number[]>();
  for (const stat of allStats()) {
    if (stat.state === 'Z' || stat.state === 'X') continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/**
 * What `root` and its descendants are doing, so that a test can tell a slow process (on a CPU, or
 * waiting for one) from a stuck one (asleep with its CPU time standing still) without a wall-clock guess.
 */
export function treeActivity(root: number): { readonly cpuTicks: number; readonly runnable: boolean } {
  let cpuTicks = 0;
  let runnable = false;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (stat === undefined) continue;
    cpuTicks += stat.cpuTicks;
    runnable ||= stat.state === 'R';
  }
  return { cpuTicks, runnable };
}

/** process.kill that treats an already-gone process as success. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone: exactly what the caller wanted.
  }
}

/** Sends `sig` to every process in the tree under `root`. */
export function signalTree(root: number, sig: NodeJS.Signals): number[] {
  const tree = processTree(root);
  for (const pid of tree) signal(pid, sig);
  return tree;
}

/**
 * SIGSTOPs the whole tree, re-reading it until no new process appears (a fork that raced the previous read),
 * so afterwards nothing in it can fork, exit to init, or answer: a frozen machine. Returns the frozen pids.
 */
export function freezeTree(root: number): number[] {
  const seen = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = processTree(root).filter((pid) => !seen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      seen.add(pid);
      signal(pid, 'SIGSTOP');
    }
  }
  return [...seen];
}

/** SIGKILLs the whole tree; freezing it first means no child is reparented to init before we saw it. */
export function killTreeSync(root: number): number[] {
  const pids = freezeTree(root);
  for (const pid of pids) signal(pid, 'SIGKILL');
  return pids;
}

/** Resolves once none of `pids` is alive, or rejects after `timeoutMs`. */
export async function waitAllGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`testkit: processes still alive after ${timeoutMs} ms: ${alive.join(' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
