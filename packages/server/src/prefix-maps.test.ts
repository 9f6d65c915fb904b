import { mapPath, mirrorPrefixMapArgs, prefixMapArgs, supportsMacroPrefixMap } from './prefix-maps';

const GCC12 = '(Debian 12.2.0-14+deb12u1) 12.2.0';

describe('prefixMapArgs', () => {
  it('maps the job dir to the client cwd for debug info and macros', () => {
    expect(prefixMapArgs('/tmp/sshcc-job-1', '/home/me/src', ['-c', '-g'], GCC12)).toEqual([
      '-fdebug-prefix-map=/tmp/sshcc-job-1=/home/me/src',
      '-fmacro-prefix-map=/tmp/sshcc-job-1=/home/me/src',
    ]);
  });

  it("maps the job dir where the client's own maps send its cwd", () => {
    const args = ['-c', '-g', '-fdebug-prefix-map=/home/me=/build', '-fmacro-prefix-map=/home/me/src=.'];
    expect(prefixMapArgs('/tmp/j', '/home/me/src', args, GCC12)).toEqual([
      '-fdebug-prefix-map=/tmp/j=/build/src',
      '-fmacro-prefix-map=/tmp/j=.',
    ]);
  });

  it('leaves out -fmacro-prefix-map for drivers older than gcc 8 and clang 10', () => {
    expect(prefixMapArgs('/tmp/j', '/src', [], '(GCC) 7.5.0')).toEqual(['-fdebug-prefix-map=/tmp/j=/src']);
    expect(supportsMacroPrefixMap('Debian clang version 14.0.6')).toBe(true);
    expect(supportsMacroPrefixMap('clang version 9.0.1')).toBe(false);
    expect(supportsMacroPrefixMap(GCC12)).toBe(true);
  });
});

describe('mapPath', () => {
  it('applies the last matching map, splitting each at its first =', () => {
    const args = ['-ffile-prefix-map=/a=/first', '-fdebug-prefix-map=/a/b=/second=x', '-fmacro-prefix-map=/a=/ignored'];
    expect(mapPath('/a/b/c', args, ['-fdebug-prefix-map=', '-ffile-prefix-map='])).toBe('/second=x/c');
    expect(mapPath('/a/z', args, ['-fdebug-prefix-map=', '-ffile-prefix-map='])).toBe('/first/z');
    expect(mapPath('/elsewhere', args, ['-fdebug-prefix-map='])).toBe('/elsewhere');
  });
});

describe('mirrorPrefixMapArgs', () => {
  it("maps the root away, then repeats the client's maps of absolute paths under it, each kind in the client's order", () => {
    const args = ['-c', '-g', '-fdebug-prefix-map=/usr/include=/sys', '-ffile-prefix-map=/home/me=.', '-fmacro-prefix-map=src=s', '-fdebug-prefix-map=nothing'];
    expect(mirrorPrefixMapArgs('/tmp/j/root', args)).toEqual([
      '-fdebug-prefix-map=/tmp/j/root=',
      '-fmacro-prefix-map=/tmp/j/root=',
      '-fdebug-prefix-map=/tmp/j/root/usr/include=/sys',
      '-fdebug-prefix-map=/tmp/j/root/home/me=.',
      '-fmacro-prefix-map=/tmp/j/root/home/me=.',
    ]);
  });
});
