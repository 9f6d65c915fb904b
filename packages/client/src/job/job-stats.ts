/**
 * The agent's running totals of where jobs went. `sshcc agent status` shows them and the demo prints
 * them; the persistent `sshcc stats` builds on the same counts.
 */
export interface JobTotals {
  readonly remote: number;
  readonly local: number;
  /** Jobs that failed on at least one host and then ran elsewhere (another host or locally). */
  readonly failedOver: number;
  readonly byHost: Readonly<Record<string, number>>;
  readonly localByReason: Readonly<Record<string, number>>;
}

export class JobStats {
  private remote = 0;
  private local = 0;
  private failedOver = 0;
  private readonly byHost = new Map<string, number>();
  private readonly localByReason = new Map<string, number>();

  countRemote(host: string, failedOver: boolean): void {
    this.remote++;
    this.byHost.set(host, (this.byHost.get(host) ?? 0) + 1);
    if (failedOver) this.failedOver++;
  }

  countLocal(reason: string, failedOver: boolean): void {
    this.local++;
    this.localByReason.set(reason, (this.localByReason.get(reason) ?? 0) + 1);
    if (failedOver) this.failedOver++;
  }

  totals(): JobTotals {
    return {
      remote: this.remote,
      local: this.local,
      failedOver: this.failedOver,
      byHost: Object.fromEntries(this.byHost),
      localByReason: Object.fromEntries(this.localByReason),
    };
  }
}
