import { FairQueue } from '.';

/** Queues `pushed` (client:job) in order, then serves `served` jobs; returns the order they came out. */
function serveOrder(pushed: readonly string[], served: number, removed: readonly string[] = []): string[] {
  const queue = new FairQueue<string>();
  for (const entry of pushed) queue.push(entry.split(':')[0] as string, entry);
  for (const entry of removed) queue.remove(entry.split(':')[0] as string, entry);
  const out: string[] = [];
  for (let i = 0; i < served; i++) {
    const next = queue.shift();
    if (next !== undefined) out.push(next);
  }
  return out;
}

describe('FairQueue: round-robin between clients, first come first served within one', () => {
  it.each([
    ['one client keeps its order', ['a:1', 'a:2', 'a:3'], 3, [], ['a:1', 'a:2', 'a:3']],
    // make -j200 against make -j2: the small client is served every other slot, not after the big one's 200.
    ['a big queue does not starve a small one', ['a:1', 'a:2', 'a:3', 'a:4', 'b:1', 'b:2'], 6, [], ['a:1', 'b:1', 'a:2', 'b:2', 'a:3', 'a:4']],
    ['three clients take turns in arrival order', ['c:1', 'a:1', 'a:2', 'b:1', 'c:2'], 5, [], ['c:1', 'a:1', 'b:1', 'c:2', 'a:2']],
    ['a job that gave up is skipped', ['a:1', 'a:2', 'b:1'], 3, ['a:1'], ['a:2', 'b:1']],
    ['a client whose only job gave up loses its turn', ['a:1', 'b:1', 'c:1'], 3, ['b:1'], ['a:1', 'c:1']],
    ['an empty queue serves nothing', [], 2, [], []],
  ])('%s', (_name, pushed, served, removed, expected) => {
    expect(serveOrder(pushed, served, removed)).toEqual(expected);
  });

  it('a client that comes back after its queue emptied joins at the back', () => {
    const queue = new FairQueue<string>();
    queue.push('a', 'a:1');
    queue.push('b', 'b:1');
    queue.push('b', 'b:2');
    expect(queue.shift()).toBe('a:1');
    queue.push('a', 'a:2');
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual(['b:1', 'a:2', 'b:2', undefined]);
    expect(queue.size).toBe(0);
  });

  it('counts what waits, and removing what is not queued changes nothing', () => {
    const queue = new FairQueue<string>();
    queue.push('a', 'x');
    expect(queue.remove('a', 'y')).toBe(false);
    expect(queue.remove('b', 'x')).toBe(false);
    expect(queue.size).toBe(1);
  });
});
