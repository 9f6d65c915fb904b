// ssh's host pattern lists (match.c match_hostname): comma-separated, `*` and `?` wildcards, `!` negates,
// case-insensitive. A matching negated pattern wins over every positive one.

export type PatternListMatch = 'match' | 'negated' | 'no-match';

/** `*` and `?` wildcard match of a whole string (no other special characters, as in ssh). */
export function matchWildcard(text: string, pattern: string): boolean {
  // Iterative matcher with one backtrack point: linear-ish and no regex built from untrusted text.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export function matchHostPatternList(name: string, list: string): PatternListMatch {
  const lower = name.toLowerCase();
  let matched = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (pattern === '' || !matchWildcard(lower, pattern)) continue;
    if (negated) return 'negated';
    matched = true;
  }
  return matched ? 'match' : 'no-match';
}
