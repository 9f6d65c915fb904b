// The queue of jobs waiting for one of a volunteer's slots. Round-robin between clients (an agent's id):
// the next free slot goes to the client after the one served last that has a job waiting, so an agent
// that queues two hundred jobs gets one slot in turn with an agent that queues two, never all of them.
// Within one client, first come first served.

export class FairQueue<T> {
  /** Clients with something waiting, in the order they are served next. */
  private readonly ring: string[] = [];
  private readonly waiting = new Map<string, T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(client: string, item: T): void {
    let queue = this.waiting.get(client);
    if (queue === undefined) {
      this.waiting.set(client, (queue = []));
      this.ring.push(client);
    }
    queue.push(item);
    this.count++;
  }

  /** The next job to serve: the oldest of the next client in turn; that client then goes to the back. */
  shift(): T | undefined {
    const client = this.ring.shift();
    if (client === undefined) return undefined;
    const queue = this.waiting.get(client) as T[];
    const item = queue.shift() as T;
    this.count--;
    if (queue.length > 0) this.ring.push(client);
    else this.waiting.delete(client);
    return item;
  }

  /** Takes a job out (it gave up waiting); false if it was not queued. */
  remove(client: string, item: T): boolean {
    const queue = this.waiting.get(client);
    const at = queue?.indexOf(item) ?? -1;
    if (queue === undefined || at < 0) return false;
    queue.splice(at, 1);
    this.count--;
    if (queue.length === 0) {
      this.waiting.delete(client);
      this.ring.splice(this.ring.indexOf(client), 1);
    }
    return true;
  }
}
