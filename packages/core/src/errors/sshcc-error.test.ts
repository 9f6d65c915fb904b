import { EXIT_CODES, SshccError, exitCodeOf, formatError } from '@sshcc/core';

describe('exit codes', () => {
  it('gives every sshcc failure a distinct code of at least 100', () => {
    const codes = Object.values(EXIT_CODES).map((row) => row.exitCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toBeGreaterThanOrEqual(100);
    for (const code of codes) expect(code).toBeLessThan(128); // 128+ means "killed by a signal"
  });
});

describe('formatError', () => {
  it('prints one line: sshcc: <what>: <why> (hint)', () => {
    const err = new SshccError('bad-host-spec', 'unknown option "zstd" in "fast/4,zstd"\nsecond line', {
      hint: 'options are: lzo, cpp, nozstd',
    });
    expect(formatError(err)).toBe(
      'sshcc: host list: unknown option "zstd" in "fast/4,zstd" second line (options are: lzo, cpp, nozstd)',
    );
    expect(exitCodeOf(err)).toBe(101);
  });

  it('maps anything else to the internal-error code without a stack trace', () => {
    const line = formatError(new TypeError('x is undefined'));
    expect(line).toBe('sshcc: internal error: x is undefined');
    expect(exitCodeOf(new TypeError('x'))).toBe(125);
  });
});
