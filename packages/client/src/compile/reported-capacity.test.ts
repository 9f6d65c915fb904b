import type { JobResult } from '@sshcc/protocol';
import { reportedCapacity } from './reported-capacity';

const result = (capacity: unknown): JobResult => ({ kind: 'compiled', capacity }) as unknown as JobResult;

describe('reportedCapacity', () => {
  it.each<[string, unknown, ReturnType<typeof reportedCapacity>]>([
    ['a server that gives none', undefined, undefined],
    ['a full picture', { cap: 8, busy: 3, waiting: 0, load1: 2.5, cpus: 8 }, { cap: 8, busy: 3, waiting: 0, load1: 2.5, cpus: 8 }],
    ['extra fields are dropped', { cap: 2, busy: 2, waiting: 1, load1: 0, cpus: 2, more: 1 }, { cap: 2, busy: 2, waiting: 1, load1: 0, cpus: 2 }],
    ['a negative count', { cap: 8, busy: -1, waiting: 0, load1: 0, cpus: 8 }, undefined],
    ['a fractional slot count', { cap: 1.5, busy: 0, waiting: 0, load1: 0, cpus: 8 }, undefined],
    ['a load that is not a number', { cap: 8, busy: 0, waiting: 0, load1: 'high', cpus: 8 }, undefined],
    ['an infinite load', { cap: 8, busy: 0, waiting: 0, load1: Number.POSITIVE_INFINITY, cpus: 8 }, undefined],
    ['a field missing', { cap: 8, busy: 0, load1: 0, cpus: 8 }, undefined],
    ['not an object', 8, undefined],
  ])('%s', (_name, capacity, expected) => {
    expect(reportedCapacity(result(capacity))).toEqual(expected);
  });
});
