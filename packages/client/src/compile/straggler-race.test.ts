import type { JobResult } from '@sshcc/protocol';
import type { RemoteGrant } from '../queue';
import { DuplicateLost, raceRuns, type RaceRun } from './straggler-race';

interface Run extends RaceRun {
  readonly released: Array<unknown>;
  answerWith(result: JobResult | Error): void;
}

const compiled = (id: number): JobResult => ({ id, kind: 'compiled' }) as JobResult;
const refused = (id: number): JobResult => ({ id, kind: 'remote-failed' }) as JobResult;

/** A run whose answer the test gives, and which rejects with the abort reason once stopped, as runJob does. */
function run(hostId: string, workerAt: number): Run {
  const released: unknown[] = [];
  const grant: RemoteGrant = { kind: 'remote', hostId, release: (timing) => released.push(timing ?? 'no timing') };
  const stop = new AbortController();
  let settle!: (r: JobResult | Error) => void;
  const answer = new Promise<JobResult>((resolve, reject) => {
    settle = (r) => (r instanceof Error ? reject(r) : resolve(r));
    stop.signal.addEventListener('abort', () => reject(stop.signal.reason));
  });
  answer.catch(() => undefined);
  return { grant, stop, answer, timing: { workerAt }, released, answerWith: settle };
}

describe('raceRuns', () => {
  it('with no second run: the first run\'s answer, and the offer withdrawn', async () => {
    const first = run('slow', 1);
    let withdrawn = 0;
    const raced = raceRuns(first, new Promise<RaceRun>(() => undefined), () => withdrawn++);
    first.answerWith(compiled(1));
    expect(await raced).toEqual({ grant: first.grant, result: compiled(1), workerAt: 1, loser: null });
    expect(withdrawn).toBe(1);
  });

  it('with no second run: the first run\'s failure', async () => {
    const first = run('slow', 1);
    const raced = raceRuns(first, new Promise<RaceRun>(() => undefined), () => undefined);
    first.answerWith(new Error('channel closed'));
    await expect(raced).rejects.toThrow('channel closed');
  });

  it('the second run answers first: it wins, the first is cancelled and its slot released untimed', async () => {
    const [first, second] = [run('slow', 1), run('fast', 2)];
    const raced = raceRuns(first, Promise.resolve(second), () => undefined);
    await Promise.resolve();
    second.answerWith(compiled(2));
    expect(await raced).toEqual({ grant: second.grant, result: compiled(2), workerAt: 2, loser: 'slow' });
    expect(first.stop.signal.reason).toBeInstanceOf(DuplicateLost);
    expect(first.released).toEqual(['no timing']);
    expect(second.released).toEqual([]);
  });

  it('the first run answers first: the second is cancelled', async () => {
    const [first, second] = [run('slow', 1), run('fast', 2)];
    const raced = raceRuns(first, Promise.resolve(second), () => undefined);
    await Promise.resolve();
    first.answerWith(compiled(1));
    expect(await raced).toEqual({ grant: first.grant, result: compiled(1), workerAt: 1, loser: 'fast' });
    expect(second.stop.signal.reason).toBeInstanceOf(DuplicateLost);
    expect(second.released).toEqual(['no timing']);
    expect(first.released).toEqual([]);
  });

  it('the first run fails: the second run\'s answer is taken', async () => {
    const [first, second] = [run('slow', 1), run('fast', 2)];
    const raced = raceRuns(first, Promise.resolve(second), () => undefined);
    await Promise.resolve();
    first.answerWith(new Error('volunteer died'));
    second.answerWith(compiled(2));
    expect(await raced).toEqual({ grant: second.grant, result: compiled(2), workerAt: 2, loser: 'slow' });
    expect(first.released).toEqual(['no timing']);
  });

  it('the second run gives no compile: the first run still decides', async () => {
    const [first, second] = [run('slow', 1), run('fast', 2)];
    const raced = raceRuns(first, Promise.resolve(second), () => undefined);
    await Promise.resolve();
    second.answerWith(refused(2));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    first.answerWith(compiled(1));
    expect(await raced).toEqual({ grant: first.grant, result: compiled(1), workerAt: 1, loser: null });
    expect(second.released).toEqual(['no timing']);
  });

  it('neither compiles: the first run\'s failure goes to the failure table', async () => {
    const [first, second] = [run('slow', 1), run('fast', 2)];
    const raced = raceRuns(first, Promise.resolve(second), () => undefined);
    await Promise.resolve();
    first.answerWith(new Error('volunteer died'));
    second.answerWith(new Error('also died'));
    await expect(raced).rejects.toThrow('volunteer died');
    expect(second.released).toEqual(['no timing']);
    expect(first.released).toEqual([]);
  });
});
