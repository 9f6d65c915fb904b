import { matchHostPatternList, matchWildcard } from './host-pattern';

describe('matchWildcard', () => {
  it.each([
    ['host', 'host', true],
    ['host', 'hos', false],
    ['host', 'h*', true],
    ['host', '*', true],
    ['', '*', true],
    ['host', 'h?st', true],
    ['host', 'h??st', false],
    ['a.b.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['[127.0.0.1]:2222', '[127.0.0.1]:*', true],
    ['[127.0.0.1]:2222', '127.0.0.1', false],
    ['aXbXc', '*X*X*', true],
    ['aaaaaaaaaaaaaaaaaaaaaaaab', '*a*a*a*a*a*a*c', false],
  ])('%s vs %s → %p', (text, pattern, expected) => {
    expect(matchWildcard(text, pattern)).toBe(expected);
  });
});

describe('matchHostPatternList', () => {
  it.each([
    ['vol1', 'vol1,vol2', 'match'],
    ['vol2', 'vol1,vol2', 'match'],
    ['vol3', 'vol1,vol2', 'no-match'],
    ['VOL1', 'vol1', 'match'],
    ['vol1', 'VOL*', 'match'],
    ['vol1', 'vol*,!vol1', 'negated'],
    ['vol1', '!vol1,vol*', 'negated'],
    ['vol2', 'vol*,!vol1', 'match'],
    ['other', '!vol1', 'no-match'],
    ['[10.0.0.1]:22', '[10.0.0.1]:22', 'match'],
    ['h', ',h', 'match'],
  ])('%s in %s → %s', (name, list, expected) => {
    expect(matchHostPatternList(name, list)).toBe(expected);
  });
});
