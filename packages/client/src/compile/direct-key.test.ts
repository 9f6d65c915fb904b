import { analyzeArgs, type RemoteAnalysis } from '@sshcc/core';
import type { CompilerFingerprint } from '@sshcc/protocol';
import { directKey, directPlan, type DirectKeyInput } from './direct-key';

function analysed(argv: string[]): RemoteAnalysis {
  const analysis = analyzeArgs(argv, { cwd: '/src', env: {}, readFile: () => '' });
  if (analysis.mode !== 'remote') throw new Error(`${argv.join(' ')} is ${analysis.reason}`);
  return analysis;
}

describe('directPlan', () => {
  it.each<[string, string[], Record<string, string>, { depFile: string | null } | null]>([
    ['a plain compile', ['gcc', '-c', 'a.c', '-O2', '-Iinc', '-DX=1'], {}, { depFile: null }],
    ['clang', ['clang', '-c', 'a.c', '-g'], {}, { depFile: null }],
    ['-MD: the .d file the analysis names after -o', ['gcc', '-c', 'a.c', '-o', 'obj/a.o', '-MD'], {}, { depFile: '/src/obj/a.d' }],
    ['-MMD -MF -MP', ['gcc', '-c', 'a.c', '-MMD', '-MP', '-MF', 'deps/a.d'], {}, { depFile: '/src/deps/a.d' }],
    ['-MD -MFjoined -MTjoined', ['gcc', '-c', 'a.c', '-MD', '-MFa.dep', '-MTa.o'], {}, { depFile: '/src/a.dep' }],
    ['-MD -MT with a separate value', ['gcc', '-c', 'a.c', '-MD', '-MT', 'x.o'], {}, { depFile: '/src/a.d' }],
    ['-MG: a missing header would pass unseen', ['gcc', '-c', 'a.c', '-MD', '-MG'], {}, null],
    ['-Wp,-MD,file', ['gcc', '-c', 'a.c', '-Wp,-MD,a.d'], {}, null],
    ['-Xpreprocessor', ['gcc', '-c', 'a.c', '-Xpreprocessor', '-dD'], {}, null],
    ['DEPENDENCIES_OUTPUT in the environment', ['gcc', '-c', 'a.c'], { DEPENDENCIES_OUTPUT: 'a.d' }, null],
    ['SUNPRO_DEPENDENCIES in the environment', ['gcc', '-c', 'a.c'], { SUNPRO_DEPENDENCIES: 'a.d' }, null],
    ['a preprocessed source (no cpp to skip)', ['gcc', '-c', 'a.i'], {}, null],
    ['SSHCC_DIRECT=0 in the build', ['gcc', '-c', 'a.c'], { SSHCC_DIRECT: '0' }, null],
    ['SSHCC_DIRECT=1 in the build', ['gcc', '-c', 'a.c'], { SSHCC_DIRECT: '1' }, { depFile: null }],
  ])('%s', (_name, argv, env, plan) => {
    expect(directPlan(analysed(argv), '/src', env)).toEqual(plan);
  });
});

describe('directKey', () => {
  const fingerprint: CompilerFingerprint = { version: 'gcc 12.2.0', target: 'x86_64-linux-gnu', driver: 'd'.repeat(64), cc1: 'c'.repeat(64), cc1plus: null };
  const base: DirectKeyInput = { compiler: '/usr/bin/gcc', fingerprint, argv: ['gcc', '-c', 'a.c', '@flags'], analysis: analysed(['gcc', '-c', 'a.c']), cwd: '/src', env: { LANG: 'C' }, source: Buffer.from('int a;\n') };
  const key = directKey(base);

  it.each<[string, Partial<DirectKeyInput>]>([
    ['another source content', { source: Buffer.from('int b;\n') }],
    ['another -D', { argv: ['gcc', '-c', 'a.c', '-DX'] }],
    ['another response file content (the same argv, other flags after expansion)', { analysis: analysed(['gcc', '-c', 'a.c', '-DFROM_FILE']) }],
    ['another cwd', { cwd: '/elsewhere' }],
    ['another compiler build', { fingerprint: { ...fingerprint, cc1: 'e'.repeat(64) } }],
    ['another compiler path', { compiler: '/usr/local/bin/gcc' }],
    ['an include path in the environment', { env: { LANG: 'C', CPATH: '/opt/include' } }],
    ['another locale', { env: { LANG: 'de_DE.UTF-8' } }],
    ['SOURCE_DATE_EPOCH', { env: { LANG: 'C', SOURCE_DATE_EPOCH: '1' } }],
  ])('changes with %s', (_name, change) => {
    expect(directKey({ ...base, ...change })).not.toBe(key);
  });

  it("stays the same when only what cannot reach cpp or the result changes (make's flags, PATH)", () => {
    expect(directKey({ ...base, env: { MAKEFLAGS: '-j8 --jobserver-auth=3,4', LANG: 'C', PATH: '/bin' } })).toBe(key);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });
});
