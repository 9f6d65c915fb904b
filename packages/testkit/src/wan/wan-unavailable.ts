import { runToolSync } from './run-tool';

let verdict: { reason: string | undefined } | undefined;

function probe(): string | undefined {
  const uid = process.getuid?.();
  if (uid !== 0) return `not root (uid ${uid ?? 'unknown'}): a network namespace and a veth pair need CAP_NET_ADMIN`;
  for (const tool of [['ip', '-V'], ['tc', '-V']]) {
    const run = runToolSync(tool);
    if (run.code !== 0) return `\`${tool[0]}\` from iproute2 did not run: ${run.stderr.trim() || `exit ${run.code}`}`;
  }
  // A container may be root yet refuse namespaces (no CAP_SYS_ADMIN, /run/netns not writable): ask the kernel.
  const name = `sshcc-wan-probe-${process.pid}`;
  const add = runToolSync(['ip', 'netns', 'add', name]);
  if (add.code !== 0) return `\`ip netns add\` failed: ${add.stderr.trim() || `exit ${add.code}`}`;
  runToolSync(['ip', 'netns', 'del', name]);
  return undefined;
}

/**
 * Why startWanVolunteer cannot run here (not root, no iproute2, namespaces refused), or undefined when it
 * can. Synchronous and cached, so a test file can decide at collection time which tests it defines.
 */
export function wanUnavailable(): string | undefined {
  verdict ??= { reason: probe() };
  return verdict.reason;
}
