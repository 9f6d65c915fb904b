import { PushAttempts } from './push-attempts';

type Step = ['begin', boolean] | ['succeeded'] | ['failed', number] | ['wait', number];

const POLICY = { baseMs: 1_000, maxMs: 3_000 };

describe('PushAttempts', () => {
  it.each<[string, Step[]]>([
    ['one push at a time', [['begin', true], ['begin', false]]],
    ['after a success, the next compiler-missing answer (an evicted pack) pushes again', [['begin', true], ['succeeded'], ['begin', true]]],
    ['after a failure, not before the wait', [['begin', true], ['failed', 1_000], ['wait', 999], ['begin', false]]],
    ['after a failure, once the wait is over', [['begin', true], ['failed', 1_000], ['wait', 1_000], ['begin', true]]],
    [
      'waits double with each failure in a row, up to the cap',
      [['begin', true], ['failed', 1_000], ['wait', 1_000], ['begin', true], ['failed', 2_000], ['wait', 2_000], ['begin', true], ['failed', 3_000], ['wait', 3_000], ['begin', true], ['failed', 3_000]],
    ],
    ['a success ends the run of failures', [['begin', true], ['failed', 1_000], ['wait', 1_000], ['begin', true], ['succeeded'], ['begin', true], ['failed', 1_000]]],
  ])('%s', (_name, steps) => {
    let clock = 0;
    const attempts = new PushAttempts(() => clock, POLICY);
    for (const step of steps) {
      if (step[0] === 'wait') clock += step[1];
      else if (step[0] === 'begin') expect(attempts.begin('host\0gcc')).toBe(step[1]);
      else if (step[0] === 'succeeded') attempts.succeeded('host\0gcc');
      else expect(attempts.failed('host\0gcc')).toBe(step[1]);
    }
  });

  it('keeps each host and compiler apart', () => {
    const attempts = new PushAttempts(() => 0, POLICY);
    expect([attempts.begin('a\0gcc'), attempts.begin('b\0gcc'), attempts.begin('a\0clang'), attempts.begin('a\0gcc')]).toEqual([true, true, true, false]);
  });
});
