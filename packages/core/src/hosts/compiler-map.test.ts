import { mappedCompiler, type CompilerMapping } from '@sshcc/core';

const MAP: readonly CompilerMapping[] = [
  { client: 'aarch64-linux-gnu-gcc', remote: 'gcc' },
  { client: 'gcc', remote: 'gcc-12' },
];

describe('mappedCompiler', () => {
  it.each<[readonly CompilerMapping[], string, string | null]>([
    [MAP, 'aarch64-linux-gnu-gcc', 'gcc'],
    [MAP, 'gcc', 'gcc-12'],
    // By the whole base name the build ran: neither a prefix nor a version suffix of it.
    [MAP, 'gcc-12', null],
    [MAP, 'aarch64-linux-gnu-gcc-12', null],
    [MAP, 'g++', null],
    [[], 'gcc', null],
    [[{ client: 'gcc', remote: 'gcc' }], 'gcc', 'gcc'],
  ])('%j maps %s to %j', (map, client, remote) => {
    expect(mappedCompiler(map, client)).toBe(remote);
  });
});
