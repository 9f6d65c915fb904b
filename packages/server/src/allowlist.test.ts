import { compilerAllowlist } from '@sshcc/server';

describe('default compiler allowlist', () => {
  const allowlist = compilerAllowlist(null);

  it.each([
    'gcc',
    'g++',
    'cc',
    'c++',
    'clang',
    'clang++',
    'gcc-12',
    'g++-12',
    'clang-14',
    'clang++-14',
    'x86_64-linux-gnu-gcc-12',
    'x86_64-linux-gnu-g++',
    'arm-none-eabi-gcc',
    'aarch64-linux-gnu-gcc-12.2',
    'i686-w64-mingw32-g++',
  ])('allows %s', (name) => {
    expect(allowlist.allows(name)).toBe(true);
  });

  it.each([
    'gcc-ar',
    'gcc-nm-12',
    'x86_64-linux-gnu-gcc-ranlib-12',
    'clang-format',
    'clang-cpp-14',
    'cpp',
    'ld',
    'sh',
    'sshcc',
    'ccache',
    'distcc',
    '/usr/bin/gcc',
    '../gcc',
    'gcc;rm -rf ~',
    'gcc ',
    '-gcc',
    '',
  ])('refuses %j', (name) => {
    expect(allowlist.allows(name)).toBe(false);
  });
});

describe('configured compiler allowlist', () => {
  it('replaces the default with the given names and * patterns', () => {
    const allowlist = compilerAllowlist(['gcc-12', 'clang-*']);
    expect(allowlist.allows('gcc-12')).toBe(true);
    expect(allowlist.allows('clang-14')).toBe(true);
    expect(allowlist.allows('gcc')).toBe(false);
    expect(allowlist.allows('gcc-12x')).toBe(false);
    expect(allowlist.allows('clang-/x')).toBe(false);
    expect(allowlist.description).toBe('config: gcc-12, clang-*');
  });

  it('never lets a pattern reach outside a bare name', () => {
    const allowlist = compilerAllowlist(['*']);
    expect(allowlist.allows('anything-at-all')).toBe(true);
    expect(allowlist.allows('sub/dir')).toBe(false);
    expect(allowlist.allows('..')).toBe(false);
  });
});
