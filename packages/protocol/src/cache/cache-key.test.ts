import { CacheKeyHasher, cacheKey, cwdReachesResult, dependsOnBuildTime, namesTimeMacro, recordsCommandLine, type CacheKeyJob, type JobRequest } from '@sshcc/protocol';
import { testJobRequest, TEST_FINGERPRINT } from '../test-job';

const SOURCE = Buffer.from('# 1 "hello.c"\nint main(void) { return 0; }\n');
const base: JobRequest = testJobRequest({ args: ['-c', '-O2'], env: { LANG: 'C.UTF-8' } });
const key = (job: Partial<JobRequest>, source: Buffer = SOURCE) => cacheKey({ ...base, ...job }, source);
const BASE_KEY = key({});

describe('cacheKey', () => {
  it('is 64 hex digits and the same for the same job', () => {
    expect(BASE_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(key({})).toBe(BASE_KEY);
  });

  it.each<[string, Partial<JobRequest>, Buffer]>([
    ['the compiler name', { compiler: 'cc' }, SOURCE],
    ['the compiler version', { fingerprint: { ...TEST_FINGERPRINT, version: 'gcc 13.1.0' } }, SOURCE],
    ['the target', { fingerprint: { ...TEST_FINGERPRINT, target: 'aarch64-linux-gnu' } }, SOURCE],
    ['the driver binary', { fingerprint: { ...TEST_FINGERPRINT, driver: 'c'.repeat(64) } }, SOURCE],
    ['the cc1 binary', { fingerprint: { ...TEST_FINGERPRINT, cc1: 'c'.repeat(64) } }, SOURCE],
    ['cc1plus appearing', { fingerprint: { ...TEST_FINGERPRINT, cc1plus: 'b'.repeat(64) } }, SOURCE],
    ['an added flag', { args: ['-c', '-O2', '-Wall'] }, SOURCE],
    ['a changed flag', { args: ['-c', '-O3'] }, SOURCE],
    ['the order of flags (the last one wins)', { args: ['-O2', '-c'] }, SOURCE],
    ['flags split differently', { args: ['-c -O2'] }, SOURCE],
    ['the language', { lang: 'c++-cpp-output' }, SOURCE],
    ['the input name (clang names STT_FILE after it)', { input: 'other.i' }, SOURCE],
    ['the .dwo name (the object names its .dwo)', { extraOutputs: ['hello.dwo'] }, SOURCE],
    ['the locale (diagnostics are cached)', { env: { LANG: 'de_DE.UTF-8' } }, SOURCE],
    ['SOURCE_DATE_EPOCH (__DATE__)', { env: { LANG: 'C.UTF-8', SOURCE_DATE_EPOCH: '1' } }, SOURCE],
    ['an env value moved to another name', { env: { LC_ALL: 'C.UTF-8' } }, SOURCE],
    ['one byte of source', {}, Buffer.from('# 1 "hello.c"\nint main(void) { return 1; }\n')],
    ['the empty source', {}, Buffer.alloc(0)],
  ])('changes with %s', (_what, job, source) => {
    expect(key(job, source)).not.toBe(BASE_KEY);
  });

  it.each<[string, Partial<JobRequest>]>([
    ['the job id', { id: 77 }],
    ['the time limit', { timeLimitSeconds: 5 }],
    ['the declared source size', { sourceBytes: SOURCE.length }],
    ['the object file name (gcc and clang record it only in a recorded command line)', { output: 'renamed.o' }],
    ['the cwd without debug info', { cwd: '/elsewhere' }],
    ['the order env entries were given in', { env: { LANG: 'C.UTF-8' } }],
    ['the cache fields themselves', { cacheKey: 'f'.repeat(64), sourceFollows: false }],
  ])('does not change with %s', (_what, job) => {
    expect(key(job)).toBe(BASE_KEY);
  });

  it('sorts env entries, so their order does not matter', () => {
    const a = key({ env: { LANG: 'C', LC_ALL: 'C', SOURCE_DATE_EPOCH: '5' } });
    expect(key({ env: { SOURCE_DATE_EPOCH: '5', LC_ALL: 'C', LANG: 'C' } })).toBe(a);
  });

  describe('with -g the cwd reaches the object (DW_AT_comp_dir)', () => {
    const g = { args: ['-c', '-g'] };
    it('so a different cwd is a different key', () => {
      expect(key({ ...g, cwd: '/a' })).not.toBe(key({ ...g, cwd: '/b' }));
    });
    it('unless a prefix map sends both to the same place', () => {
      const mapped = (cwd: string) => ({ args: ['-c', '-g', '-fdebug-prefix-map=/a=/src', '-fdebug-prefix-map=/b=/src', '-fmacro-prefix-map=/a=/src', '-fmacro-prefix-map=/b=/src'], cwd });
      expect(key(mapped('/a'))).toBe(key(mapped('/b')));
    });
    it('-ffile-prefix-map covers both debug info and macros', () => {
      const mapped = (cwd: string) => ({ args: ['-c', '-g', '-ffile-prefix-map=/a=.', '-ffile-prefix-map=/b=.'], cwd });
      expect(key(mapped('/a'))).toBe(key(mapped('/b')));
    });
    it('-g0 alone keeps it out', () => {
      expect(key({ args: ['-c', '-g0'], cwd: '/a' })).toBe(key({ args: ['-c', '-g0'], cwd: '/b' }));
    });
  });

  it('a recorded command line (clang -frecord-gcc-switches) holds the object name and the cwd', () => {
    const rec = { args: ['-c', '-frecord-gcc-switches'] };
    expect(key({ ...rec, output: 'a.o' })).not.toBe(key({ ...rec, output: 'b.o' }));
    expect(key({ ...rec, cwd: '/a' })).not.toBe(key({ ...rec, cwd: '/b' }));
  });

  it('hashes a streamed source the same as a whole one', () => {
    const hasher = new CacheKeyHasher(base as CacheKeyJob);
    for (let at = 0; at < SOURCE.length; at += 7) hasher.update(SOURCE.subarray(at, at + 7));
    expect(hasher.digest()).toBe(BASE_KEY);
  });

  it('length-prefixes fields: moving a byte between two args changes the key', () => {
    expect(key({ args: ['-c', '-O2x'] })).not.toBe(key({ args: ['-cx', '-O2'] }));
    expect(key({ args: ['ab', 'c'] })).not.toBe(key({ args: ['a', 'bc'] }));
  });
});

describe('what reaches the result', () => {
  it.each([
    [['-c'], false],
    [['-c', '-g'], true],
    [['-c', '-ggdb3'], true],
    [['-c', '-gdwarf-4'], true],
    [['-c', '-gsplit-dwarf'], true],
    [['-c', '-g0'], false],
    [['-c', '-ggdb0'], false],
    [['-c', '-frecord-gcc-switches'], true],
  ])('%j: cwd reaches it: %s', (args, expected) => {
    expect(cwdReachesResult(args)).toBe(expected);
  });

  it('recordsCommandLine', () => {
    expect(recordsCommandLine(['-grecord-command-line'])).toBe(true);
    expect(recordsCommandLine(['-frecord-command-line'])).toBe(true);
    expect(recordsCommandLine(['-g'])).toBe(false);
  });
});

describe('a result that depends on when it was compiled is never cached', () => {
  const EPOCH = { env: { SOURCE_DATE_EPOCH: '1700000000' } };
  it.each<[string, string, Partial<JobRequest>, boolean]>([
    ['no time macro', 'int x;\n', {}, false],
    ['__DATE__', 'const char *d = __DATE__;\n', {}, true],
    ['__TIME__', 'const char *t = __TIME__;\n', {}, true],
    ['__TIMESTAMP__', 'const char *s = __TIMESTAMP__;\n', {}, true],
    ['__DATE__ under SOURCE_DATE_EPOCH (a fixed date, in the key)', 'const char *d = __DATE__;\n', EPOCH, false],
    ['__TIME__ under SOURCE_DATE_EPOCH', 'const char *t = __TIME__;\n', EPOCH, false],
    ['__TIMESTAMP__ under SOURCE_DATE_EPOCH (the file\'s mtime there, not the epoch)', 'const char *s = __TIMESTAMP__;\n', EPOCH, true],
  ])('%s', (_name, text, job, depends) => {
    const source = Buffer.from(text);
    const request = { ...base, ...job };
    expect(dependsOnBuildTime(request, source)).toBe(depends);
    // Streamed in any split, a macro across two chunks included, the hasher says the same.
    for (let size = 1; size <= source.length; size++) {
      const hasher = new CacheKeyHasher(request as CacheKeyJob);
      for (let at = 0; at < source.length; at += size) hasher.update(source.subarray(at, at + size));
      expect({ size, depends: hasher.dependsOnBuildTime }).toEqual({ size, depends });
    }
  });

  it('namesTimeMacro (direct mode\'s rule) ignores SOURCE_DATE_EPOCH', () => {
    expect(namesTimeMacro(Buffer.from('__DATE__'))).toBe(true);
    expect(namesTimeMacro(Buffer.from('__DAT_E__'))).toBe(false);
  });
});
