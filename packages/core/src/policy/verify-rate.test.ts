import { describeVerifyRate, isSampled, parseVerifyRate, SshccError, VerifySampler } from '@sshcc/core';

describe('parseVerifyRate', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['1', 1],
    ['0.05', 0.05],
    ['.5', 0.5],
    ['1.0', 1],
    [' 0.25 ', 0.25],
    ['0.', 0],
  ])('reads %j as %d', (text, rate) => {
    expect(parseVerifyRate(text, 'SSHCC_VERIFY')).toBe(rate);
  });

  it.each(['', ' ', 'yes', 'on', '-0.1', '1.5', '2', '0x1', '1e-1', 'NaN', 'Infinity', '5%', '1/20', '0,5'])('refuses %j as a config error with its exit code', (text) => {
    let thrown: unknown;
    try {
      parseVerifyRate(text, 'SSHCC_VERIFY');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SshccError);
    expect(thrown).toMatchObject({ code: 'config', exitCode: 102, message: `SSHCC_VERIFY=${text}: not a fraction from 0 to 1` });
    expect((thrown as SshccError).hint).toMatch(/^a fraction from 0 to 1/);
  });
});

describe('isSampled', () => {
  /** The jobs among the first `n` that `rate` verifies. */
  const sampled = (rate: number, n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((job) => isSampled(job, rate));

  it.each<[number, number, number[]]>([
    [1, 5, [1, 2, 3, 4, 5]],
    [0, 20, []],
    [0.5, 6, [2, 4, 6]],
    [0.25, 12, [4, 8, 12]],
    [0.1, 30, [10, 20, 30]],
    [0.3, 10, [4, 7, 10]],
    [0.05, 40, [20, 40]],
  ])('at %d verifies, of the first %d jobs, %j', (rate, n, jobs) => {
    expect(sampled(rate, n)).toEqual(jobs);
  });

  it('verifies floor(n × rate) of any n jobs', () => {
    for (const rate of [0.01, 0.07, 0.1, 0.2, 0.3, 0.33, 0.7, 0.9, 0.999]) {
      for (const n of [1, 7, 10, 99, 1000]) expect({ rate, n, count: sampled(rate, n).length }).toEqual({ rate, n, count: Math.floor(n * rate + 1e-9) });
    }
  });
});

describe('VerifySampler', () => {
  it('counts jobs across calls, each with the rate the build gives', () => {
    const sampler = new VerifySampler();
    expect([0.5, 0.5, 0.5, 0.5].map((rate) => sampler.next(rate))).toEqual([false, true, false, true]);
    expect(sampler.next(0)).toBe(false);
    expect(sampler.next(1)).toBe(true);
  });
});

describe('describeVerifyRate', () => {
  it.each<[number, string]>([
    [0, 'off'],
    [1, 'every remote job'],
    [0.05, '1 remote job in 20'],
    [0.5, '1 remote job in 2'],
    [0.3, '30 % of remote jobs'],
  ])('says %d as %j', (rate, text) => {
    expect(describeVerifyRate(rate)).toBe(text);
  });
});
