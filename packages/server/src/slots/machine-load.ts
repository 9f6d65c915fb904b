import { availableParallelism, loadavg } from 'node:os';

/** The kernel updates its load average every 5 s: read more often (twice a job), it says nothing new. */
export const LOAD_FRESH_MS = 1000;

export interface MachineLoad {
  readonly load1: number;
  readonly cpus: number;
}

/**
 * The machine's load and CPU count as a reply states them, read again once `LOAD_FRESH_MS` has passed.
 * Each read is a sysinfo and a sched_getaffinity call, which showed up in a server's profile per job.
 */
export function machineLoadReader(read: () => MachineLoad = readMachineLoad): (now: number) => MachineLoad {
  let last: { at: number; load: MachineLoad } | null = null;
  return (now) => {
    if (last === null || now - last.at >= LOAD_FRESH_MS || now < last.at) last = { at: now, load: read() };
    return last.load;
  };
}

function readMachineLoad(): MachineLoad {
  return { load1: Math.round((loadavg()[0] ?? 0) * 100) / 100, cpus: availableParallelism() };
}
