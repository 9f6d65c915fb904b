// Samples this machine while a build runs: how many compiler processes of the build run here (their cwd
// is the project: preprocessors the agent runs, compiles that fell back here; a volunteer's run in its
// own TMPDIR and are not counted), the agent's resident memory, and the load average.
import { readFileSync } from 'node:fs';
import { listProcesses } from './build-processes';

/** One cc1/cc1plus/as is one compiler pass at work; the drivers (gcc, g++) only wait for them. */
const WORKER = /^(cc1|cc1plus|cc1obj|as)$/;
const DRIVER = /^(gcc|g\+\+|cc|c\+\+|x86_64-linux-gnu-gcc(-\d+)?|x86_64-linux-gnu-g\+\+(-\d+)?)$/;

export interface LoadFigures {
  readonly samples: number;
  /** Most compiler passes (cc1, cc1plus, as) of the build running here at once, and the mean. */
  readonly maxWorkers: number;
  readonly meanWorkers: number;
  readonly maxDrivers: number;
  /** The agent's VmRSS in KiB: first sample and highest. */
  readonly agentRssFirstKiB: number;
  readonly agentRssMaxKiB: number;
  /** /proc/loadavg's 1-minute figure: highest seen. */
  readonly maxLoad1: number;
}

export class LoadSampler {
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  private workersSum = 0;
  private maxWorkers = 0;
  private maxDrivers = 0;
  private rssFirst = 0;
  private rssMax = 0;
  private maxLoad1 = 0;

  constructor(
    private readonly projectDir: string,
    private readonly agentPid: () => number | null,
  ) {}

  start(everyMs: number): void {
    const tick = (): void => {
      this.sample();
      this.timer = setTimeout(tick, everyMs);
    };
    tick();
  }

  stop(): LoadFigures {
    clearTimeout(this.timer);
    return {
      samples: this.samples,
      maxWorkers: this.maxWorkers,
      meanWorkers: this.samples === 0 ? 0 : this.workersSum / this.samples,
      maxDrivers: this.maxDrivers,
      agentRssFirstKiB: this.rssFirst,
      agentRssMaxKiB: this.rssMax,
      maxLoad1: this.maxLoad1,
    };
  }

  private sample(): void {
    const here = listProcesses().filter((p) => p.cwd === this.projectDir || p.cwd.startsWith(`${this.projectDir}/`));
    const workers = here.filter((p) => WORKER.test(p.name)).length;
    const drivers = here.filter((p) => DRIVER.test(p.name)).length;
    this.samples++;
    this.workersSum += workers;
    this.maxWorkers = Math.max(this.maxWorkers, workers);
    this.maxDrivers = Math.max(this.maxDrivers, drivers);
    const pid = this.agentPid();
    if (pid !== null) {
      const rss = residentKiB(pid);
      if (rss > 0 && this.rssFirst === 0) this.rssFirst = rss;
      this.rssMax = Math.max(this.rssMax, rss);
    }
    this.maxLoad1 = Math.max(this.maxLoad1, Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
  }
}

function residentKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
