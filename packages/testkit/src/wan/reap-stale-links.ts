import { isAlive, signal } from '../process-tree';
import { NAMESPACE_PATTERN } from './link-plan';
import { runTool } from './run-tool';

/** SIGKILLs every process still inside namespace `name` (`ip netns pids`), so deleting it frees it at once. */
export async function killNamespacePids(name: string): Promise<number[]> {
  const listed = await runTool(['ip', 'netns', 'pids', name]);
  const pids = listed.stdout.split('\n').filter((line) => /^\d+$/.test(line)).map(Number);
  for (const pid of pids) signal(pid, 'SIGKILL');
  return pids;
}

/**
 * Removes links a SIGKILLed test process left (no exit hook ran): namespaces named for a pid that is gone,
 * with whatever still runs in them, and root-side veths named for such a pid. Links of live processes,
 * parallel jest workers among them, are not touched.
 */
export async function reapStaleLinks(): Promise<string[]> {
  const removed: string[] = [];
  const dead = (pid: number): boolean => pid !== process.pid && !isAlive(pid);
  const namespaces = await runTool(['ip', 'netns', 'list']);
  for (const line of namespaces.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = NAMESPACE_PATTERN.exec(name);
    if (!match || !dead(Number(match[1]))) continue;
    await killNamespacePids(name);
    await runTool(['ip', 'netns', 'del', name]);
    removed.push(name);
  }
  const links = await runTool(['ip', '-o', 'link', 'show']);
  for (const match of links.stdout.matchAll(/^\d+: (sw(\d+)-\d+h)@/gm)) {
    if (!dead(Number(match[2]))) continue;
    await runTool(['ip', 'link', 'del', match[1] as string]);
    removed.push(match[1] as string);
  }
  return removed;
}
