import { COMPILE_OPTION_RULES } from '@sshcc/server';

describe('COMPILE_OPTION_RULES', () => {
  it('is sorted by flag, one row per flag', () => {
    const flags = COMPILE_OPTION_RULES.map((rule) => rule.flag);
    expect(flags).toEqual([...flags].sort());
    expect(new Set(flags).size).toBe(flags.length);
  });

  it('gives each row a reason to exist', () => {
    for (const rule of COMPILE_OPTION_RULES) {
      expect(Boolean(rule.refused || rule.separateValue || rule.check || rule.flag.startsWith('--'))).toBe(true);
    }
  });
});
