/**
 * Numbers the busy slots of each host: a grant takes the lowest free number, a release frees it.
 * The scheduler never runs more jobs on a host than it has slots, so the numbers stay below the slot
 * count, and a trace can draw one track per slot without two jobs overlapping on it.
 */
export class SlotTable {
  private readonly busy = new Map<string, Set<number>>();

  take(key: string): number {
    let numbers = this.busy.get(key);
    if (numbers === undefined) this.busy.set(key, (numbers = new Set()));
    let slot = 0;
    while (numbers.has(slot)) slot++;
    numbers.add(slot);
    return slot;
  }

  free(key: string, slot: number): void {
    const numbers = this.busy.get(key);
    numbers?.delete(slot);
    if (numbers?.size === 0) this.busy.delete(key);
  }
}
