import { afterReleaseVerdict, decideReleaseVerify, RELEASE_PROBATION, UNTRIED, type ReleaseTrust } from '@sshcc/core';

describe('decideReleaseVerify', () => {
  it.each<[string, ReleaseTrust, number, boolean, ReleaseTrust]>([
    ['an untried compiler is verified, whatever the rate', UNTRIED, 0, true, UNTRIED],
    ['so is one with 7 matches', { matches: 7, sinceTrusted: 0 }, 0, true, { matches: 7, sinceTrusted: 0 }],
    ['at 8 matches the 1st job after is not (1/16)', { matches: 8, sinceTrusted: 0 }, 0, false, { matches: 8, sinceTrusted: 1 }],
    ['the 16th job after probation is', { matches: 8, sinceTrusted: 15 }, 0, true, { matches: 8, sinceTrusted: 16 }],
    ['the 17th is not', { matches: 8, sinceTrusted: 16 }, 0, false, { matches: 8, sinceTrusted: 17 }],
    ['the 32nd is', { matches: 9, sinceTrusted: 31 }, 0, true, { matches: 9, sinceTrusted: 32 }],
    ['a higher SSHCC_VERIFY wins: 0.5 verifies the 2nd', { matches: 8, sinceTrusted: 1 }, 0.5, true, { matches: 8, sinceTrusted: 2 }],
    ['... and not the 3rd', { matches: 8, sinceTrusted: 2 }, 0.5, false, { matches: 8, sinceTrusted: 3 }],
    ['a lower one does not: 0.01 still verifies the 16th', { matches: 8, sinceTrusted: 15 }, 0.01, true, { matches: 8, sinceTrusted: 16 }],
    ['SSHCC_VERIFY=1 verifies every job after probation', { matches: 8, sinceTrusted: 4 }, 1, true, { matches: 8, sinceTrusted: 5 }],
  ])('%s', (_why, trust, rate, verify, next) => {
    expect(decideReleaseVerify(trust, rate)).toEqual({ verify, trust: next });
  });

  it('verifies the first 8 jobs of a run of matches, then 1 in 16', () => {
    let trust = UNTRIED;
    const verified: number[] = [];
    for (let job = 1; job <= RELEASE_PROBATION + 48; job++) {
      const decision = decideReleaseVerify(trust, 0);
      trust = decision.trust;
      if (decision.verify) {
        verified.push(job);
        trust = afterReleaseVerdict(trust, 'match');
      }
    }
    expect(verified).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 24, 40, 56]);
  });
});

describe('afterReleaseVerdict', () => {
  it.each<[string, ReleaseTrust, 'match' | 'mismatch' | 'unverified', ReleaseTrust]>([
    ['a match counts', { matches: 3, sinceTrusted: 0 }, 'match', { matches: 4, sinceTrusted: 0 }],
    ['an unverified job is no evidence either way', { matches: 3, sinceTrusted: 0 }, 'unverified', { matches: 3, sinceTrusted: 0 }],
    ['a mismatch starts over', { matches: 3, sinceTrusted: 0 }, 'mismatch', UNTRIED],
    ['even after probation', { matches: 12, sinceTrusted: 70 }, 'mismatch', UNTRIED],
  ])('%s', (_why, trust, verdict, next) => {
    expect(afterReleaseVerdict(trust, verdict)).toEqual(next);
  });
});
