import { compileNote } from './compile-note';

describe('compileNote', () => {
  it('names the host and time of a remote compile, the output relative to the build', () => {
    expect(compileNote('/b', '/b/obj/a.o', 'gcc', { kind: 'remote', host: 'box/4', ms: 12.4 })).toBe('sshcc: obj/a.o: compiled on box/4 (12 ms)');
  });

  it('says why a compile ran here, naming the compiler when there is no output', () => {
    expect(compileNote('/b', undefined, 'gcc', { kind: 'local', why: 'no input file' })).toBe('sshcc: gcc: compiled locally: no input file');
  });

  it('gives a cache hit its own line: nothing was compiled, locally or elsewhere', () => {
    const line = compileNote('/b', '/elsewhere/a.o', 'gcc', { kind: 'cache' });
    expect(line).toBe('sshcc: /elsewhere/a.o: answered from the result cache');
    expect(line).not.toContain('compiled');
  });

  it('says so when a cache hit came without a cpp run (direct mode), in a line the cache shape still matches', () => {
    const line = compileNote('/b', '/b/a.o', 'gcc', { kind: 'cache', direct: true });
    expect(line).toBe('sshcc: a.o: answered from the result cache without running the preprocessor (direct mode)');
    expect(line).toMatch(/: answered from the result cache/);
  });
});
