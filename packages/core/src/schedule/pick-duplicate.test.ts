import { pickDuplicate, type HostLoad, type RunningJob } from '.';

const host = (id: string, slots: number, running: number, ms?: number, more: Partial<HostLoad> = {}): HostLoad => ({
  id,
  slots,
  running,
  state: 'up',
  speed: ms === undefined ? undefined : { msPerJob: ms, msPerKiB: null, samples: 3 },
  ...more,
});
/** Timed per job and per KiB: `ms` for an average job, `perKiB` for each KiB of a job of known size. */
const sized = (id: string, running: number, ms: number, perKiB: number): HostLoad => ({ ...host(id, 2, running, ms), speed: { msPerJob: ms, msPerKiB: perKiB, samples: 3 } });
const job = (id: number, hostId: string, startedAt: number, avoid: string[] = [], kib?: number): RunningJob => ({ id, hostId, startedAt, avoid: new Set(avoid), kib });

describe('pickDuplicate', () => {
  it.each<[string, RunningJob[], HostLoad[], number, { jobId: number; hostId: string } | null]>([
    ['nothing running', [], [host('fast', 2, 0, 100)], 0, null],
    ['a job on a slow host, a fast one idle', [job(1, 'slow', 0)], [host('slow', 2, 1, 3000), host('fast', 2, 0, 100)], 500, { jobId: 1, hostId: 'fast' }],
    ['the fast host has no free slot', [job(1, 'slow', 0)], [host('slow', 2, 1, 3000), host('fast', 2, 2, 100)], 500, null],
    ['the other host is not clearly faster', [job(1, 'a', 0)], [host('a', 2, 1, 1000), host('b', 2, 0, 900)], 0, null],
    ['just started on an equal host', [job(1, 'a', 0)], [host('a', 2, 1, 1000), host('b', 2, 0, 1000)], 0, null],
    ['the first run is halfway: what is left is not clearly more', [job(1, 'slow', 0)], [host('slow', 2, 1, 3000), host('fast', 2, 0, 1300)], 1500, null],
    ['the first run is nearly done: the second would end later', [job(1, 'a', 0)], [host('a', 2, 1, 1000), host('fast', 2, 0, 100)], 950, null],
    ['past its estimate: as long again as it ran is left', [job(1, 'a', 0)], [host('a', 2, 1, 1000), host('b', 2, 0, 1000)], 1300, { jobId: 1, hostId: 'b' }],
    ['just past its estimate on an equal host: not clearly sooner', [job(1, 'a', 0)], [host('a', 2, 1, 1000), host('b', 2, 0, 1000)], 1100, null],
    ['the fast host is one the job avoids', [job(1, 'slow', 0, ['fast'])], [host('slow', 2, 1, 3000), host('fast', 2, 0, 100)], 500, null],
    ['the fast host is backed off', [job(1, 'slow', 0)], [host('slow', 2, 1, 3000), host('fast', 2, 0, 100, { state: 'backoff' })], 500, null],
    ['never on the localhost entry', [job(1, 'slow', 0)], [host('slow', 2, 1, 3000), host('localhost', 2, 0, 100, { local: true })], 500, null],
    ['an untimed host is no candidate', [job(1, 'slow', 0)], [host('slow', 2, 1, 3000), host('new', 2, 0)], 500, null],
    ['a job on an untimed host is no candidate', [job(1, 'new', 0)], [host('new', 2, 1), host('fast', 2, 0, 100)], 500, null],
    [
      'the job whose answer comes furthest forward',
      [job(1, 'slow', 0), job(2, 'slow', 2000)],
      [host('slow', 2, 2, 3000), host('fast', 2, 0, 100)],
      2100,
      { jobId: 2, hostId: 'fast' },
    ],
    ['a big file runs long on an equal host: by size it is not late', [job(1, 'a', 0, [], 100)], [sized('a', 1, 1000, 100), sized('b', 0, 1000, 100)], 5000, null],
    ['a big file on a host slow per KiB', [job(1, 'a', 0, [], 100)], [sized('a', 1, 1000, 300), sized('b', 0, 1000, 100)], 5000, { jobId: 1, hostId: 'b' }],
    ['a job of unknown size: by the time per job', [job(1, 'a', 0)], [sized('a', 1, 1000, 100), sized('b', 0, 1000, 100)], 1300, { jobId: 1, hostId: 'b' }],
    [
      'a volunteer full of other clients\' jobs is slower than measured',
      [job(1, 'slow', 0)],
      [host('slow', 2, 1, 3000), host('fast', 2, 0, 100, { capacity: { cap: 2, busy: 2, waiting: 100, load1: 0, cpus: 2 } })],
      500,
      null,
    ],
  ])('%s', (_name, running, hosts, now, expected) => {
    expect(pickDuplicate(running, hosts, now)).toEqual(expected);
  });
});
