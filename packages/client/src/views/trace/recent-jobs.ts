import type { JobRecord } from '../../events';

/** Finished jobs the agent keeps for `sshcc trace`: a few MB at most, the oldest dropped first. */
export const RECENT_JOBS = 10_000;

/** A ring of the last finished jobs, oldest first when listed. */
export class RecentJobs {
  private readonly ring: (JobRecord | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = RECENT_JOBS) {
    this.ring = new Array<JobRecord | undefined>(capacity);
  }

  add(job: JobRecord): void {
    this.ring[this.next] = job;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Oldest first. */
  list(): JobRecord[] {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    const jobs: JobRecord[] = [];
    for (let i = 0; i < this.count; i++) jobs.push(this.ring[(start + i) % this.capacity] as JobRecord);
    return jobs;
  }
}
