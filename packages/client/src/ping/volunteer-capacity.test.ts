import type { ServerHello } from '@sshcc/protocol';
import { volunteerCapacity } from './volunteer-capacity';

const HELLO: ServerHello = { protocols: [1], server: 'sshcc-server/0.1.0', cpus: 2, load: [0.5], compilers: ['gcc'], compression: ['zstd'] };

describe('volunteerCapacity', () => {
  it.each<[string, unknown, ReturnType<typeof volunteerCapacity>]>([
    ['an older server says nothing', undefined, null],
    ['a newer one says how busy it is', { cap: 4, busy: 1, waiting: 0, load1: 0.5, cpus: 2 }, { cap: 4, busy: 1, waiting: 0, load1: 0.5, cpus: 2 }],
    ['a malformed field is no capacity', { cap: -1, busy: 'x' }, null],
  ])('%s', (_what, capacity, expected) => {
    expect(volunteerCapacity({ ...HELLO, ...(capacity === undefined ? {} : { capacity }) } as ServerHello)).toEqual(expected);
  });
});
