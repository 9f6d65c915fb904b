import { SPEED_SAMPLE_WEIGHT, SPEED_STALE_MS, compareSpeed, currentSpeed, updateSpeed, type SpeedEstimate } from '.';

const est = (msPerJob: number, msPerKiB: number | null = null, samples = 3): SpeedEstimate => ({
  msPerJob,
  msPerKiB,
  samples,
});

describe('updateSpeed', () => {
  it.each<[string, SpeedEstimate | undefined, { ms: number; bytes?: number }, SpeedEstimate | undefined]>([
    ['first sample is the estimate', undefined, { ms: 200 }, est(200, null, 1)],
    ['first sample with a size gives ms per KiB', undefined, { ms: 200, bytes: 4096 }, est(200, 50, 1)],
    ['later samples move the mean by the weight', est(100), { ms: 200 }, est(130, null, 4)],
    ['a sized sample starts the per-KiB mean', est(100), { ms: 100, bytes: 1024 }, est(100, 100, 4)],
    ['a sized sample blends the per-KiB mean', est(100, 100), { ms: 400, bytes: 2048 }, est(190, 130, 4)],
    ['an unsized sample keeps the per-KiB mean', est(100, 100), { ms: 200 }, est(130, 100, 4)],
    ['a zero size counts as unknown', undefined, { ms: 10, bytes: 0 }, est(10, null, 1)],
    ['a negative time is ignored', est(100), { ms: -5 }, est(100)],
    ['NaN is ignored', est(100), { ms: Number.NaN }, est(100)],
    ['Infinity is ignored', undefined, { ms: Number.POSITIVE_INFINITY }, undefined],
  ])('%s', (_name, prev, timing, expected) => {
    const next = updateSpeed(prev, timing);
    if (expected === undefined) return expect(next).toBeUndefined();
    expect(next!.samples).toBe(expected.samples);
    expect(next!.msPerJob).toBeCloseTo(expected.msPerJob, 9);
    if (expected.msPerKiB === null) expect(next!.msPerKiB).toBeNull();
    else expect(next!.msPerKiB).toBeCloseTo(expected.msPerKiB, 9);
  });

  it('converges on a host that became slower', () => {
    let speed = updateSpeed(undefined, { ms: 100 });
    for (let i = 0; i < 20; i++) speed = updateSpeed(speed, { ms: 1000 });
    expect(speed!.msPerJob).toBeGreaterThan(990);
    expect(SPEED_SAMPLE_WEIGHT).toBeGreaterThan(0);
    expect(SPEED_SAMPLE_WEIGHT).toBeLessThan(1);
  });
});

describe('compareSpeed', () => {
  it.each<[string, SpeedEstimate | undefined, SpeedEstimate | undefined, 'a' | 'b' | 'tie']>([
    ['both unmeasured tie', undefined, undefined, 'tie'],
    ['an unmeasured host comes first so it gets measured', undefined, est(10), 'a'],
    ['a measured host comes after an unmeasured one', est(10), undefined, 'b'],
    ['fewer ms per job wins', est(300), est(100), 'b'],
    ['per KiB beats per job when both know it', est(100, 50), est(50, 70), 'a'],
    ['per job decides when one lacks a size', est(100, 50), est(50, null), 'b'],
    ['equal estimates tie', est(100, 20), est(100, 20), 'tie'],
  ])('%s', (_name, a, b, faster) => {
    const cmp = compareSpeed(a, b);
    if (faster === 'tie') expect(cmp).toBe(0);
    else if (faster === 'a') expect(cmp).toBeLessThan(0);
    else expect(cmp).toBeGreaterThan(0);
  });
});

describe('currentSpeed', () => {
  const SPEED: SpeedEstimate = { msPerJob: 500, msPerKiB: null, samples: 3 };
  it.each<[string, SpeedEstimate | undefined, number, number, SpeedEstimate | undefined]>([
    ['a fresh estimate', SPEED, 0, SPEED_STALE_MS, SPEED],
    ['a stale estimate of an idle host: forgotten, so the host is timed again', SPEED, 0, SPEED_STALE_MS + 1, undefined],
    ['a stale estimate of a busy host: its running jobs will renew it', SPEED, 1, SPEED_STALE_MS + 1, SPEED],
    ['no estimate', undefined, 0, SPEED_STALE_MS + 1, undefined],
  ])('%s', (_name, speed, running, now, expected) => {
    expect(currentSpeed(speed, 0, running, now)).toEqual(expected);
  });
});
