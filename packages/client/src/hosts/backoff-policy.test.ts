import { backoffDelayMs, backoffPolicyFromEnv, DEFAULT_BACKOFF } from './backoff-policy';

describe('backoffDelayMs', () => {
  it.each([
    [0, 0],
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [4, 40_000],
    [5, 80_000],
    [6, 160_000],
    [7, 300_000],
    [8, 300_000],
    [5000, 300_000],
  ])('after %i failures waits %i ms by default', (failures, delay) => {
    expect(backoffDelayMs(failures)).toBe(delay);
  });

  it('follows a custom policy', () => {
    const policy = { baseMs: 100, maxMs: 350 };
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy))).toEqual([100, 200, 350, 350]);
  });

  it('defaults to 5 s doubling to 5 min', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 5_000, maxMs: 300_000 });
  });
});

describe('backoffPolicyFromEnv', () => {
  it.each([
    [undefined, DEFAULT_BACKOFF],
    ['', DEFAULT_BACKOFF],
    ['0', DEFAULT_BACKOFF],
    ['-5', DEFAULT_BACKOFF],
    ['1.5', DEFAULT_BACKOFF],
    ['soon', DEFAULT_BACKOFF],
    ['250', { baseMs: 250, maxMs: 300_000 }],
    ['900000', { baseMs: 900_000, maxMs: 900_000 }],
  ])('SSHCC_BACKOFF_MS=%p gives %p', (value, policy) => {
    expect(backoffPolicyFromEnv(value === undefined ? {} : { SSHCC_BACKOFF_MS: value })).toEqual(policy);
  });
});
