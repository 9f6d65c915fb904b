import { decideSlot, whenBusyFor, type HostLoad } from '.';

describe('decideSlot: run now, queue, or decline with "busy"', () => {
  it.each([
    ['a free slot, nobody queued', { cap: 2, busy: 1, waiting: 0 }, 'wait', 'grant'],
    ['a free slot is granted whatever the client would do when busy', { cap: 2, busy: 0, waiting: 0 }, 'decline', 'grant'],
    ['all taken, the client can wait', { cap: 2, busy: 2, waiting: 0 }, 'wait', 'queue'],
    ['all taken, the client has another place', { cap: 2, busy: 2, waiting: 3 }, 'decline', 'decline'],
    // A slot that just freed belongs to the queue's head, not to a newcomer.
    ['a free slot with a queue before it is not taken', { cap: 2, busy: 1, waiting: 1 }, 'wait', 'queue'],
    ['a free slot with a queue before it: a client with another place goes there', { cap: 2, busy: 1, waiting: 1 }, 'decline', 'decline'],
    ['draining (cap 0) declines even a client that would wait', { cap: 0, busy: 1, waiting: 0 }, 'wait', 'decline'],
    ['draining with nothing running', { cap: 0, busy: 0, waiting: 0 }, 'wait', 'decline'],
    ['over the cap after it was lowered', { cap: 1, busy: 3, waiting: 0 }, 'wait', 'queue'],
  ] as const)('%s', (_name, counts, whenBusy, expected) => {
    expect(decideSlot(counts, whenBusy)).toBe(expected);
  });
});

const host = (id: string, slots: number, running: number, state: HostLoad['state'] = 'up', local = false): HostLoad => ({ id, slots, running, state, local });

describe('whenBusyFor: the agent declines a wait when it has another place for the job now', () => {
  it.each([
    ['the only host', [host('a', 4, 4)], new Set<string>(), 'wait'],
    ['another host with a free slot', [host('a', 4, 4), host('b', 2, 1)], new Set<string>(), 'decline'],
    ['another host, all its slots taken', [host('a', 4, 4), host('b', 2, 2)], new Set<string>(), 'wait'],
    ['another host with a free slot, but backed off', [host('a', 4, 4), host('b', 2, 0, 'backoff')], new Set<string>(), 'wait'],
    ['another host with a free slot that this job avoids', [host('a', 4, 4), host('b', 2, 0)], new Set(['b']), 'wait'],
    ['a free localhost slot is another place', [host('a', 4, 4), host('localhost', 2, 0, 'up', true)], new Set<string>(), 'decline'],
    ["the host's own free slot does not count", [host('a', 4, 1)], new Set<string>(), 'wait'],
  ] as const)('%s', (_name, loads, avoid, expected) => {
    expect(whenBusyFor(loads, 'a', avoid)).toBe(expected);
  });
});
