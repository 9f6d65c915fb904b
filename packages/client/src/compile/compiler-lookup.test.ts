import { chmodSync, linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CompilerLookup } from './compiler-lookup';
import { PathWatches } from './path-watches';
import { deafWatch, turn, withWatchedTempDir } from './path-watches-test-fixture';

let dir: string;
let watches: PathWatches;
let lookup: CompilerLookup;

withWatchedTempDir('sshcc-compiler-lookup-', (made) => ({ dir, watches } = made));

beforeEach(() => {
  lookup = new CompilerLookup(watches);
});

function tool(file: string, mode = 0o755): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, mode);
  return file;
}

const bin = (name: string) => path.join(dir, name);

describe('CompilerLookup', () => {
  it('sees, at the next compile, a compiler installed ahead on PATH, then removed, then not executable', async () => {
    const self = tool(path.join(dir, 'sshcc'));
    const late = tool(path.join(bin('late'), 'gcc'));
    const options = { path: `${bin('early')}:${bin('late')}`, cwd: dir, self };
    expect(lookup.find('gcc', options)).toBe(late);
    // `early` did not exist: its parent's watch sees it appear.
    const early = tool(path.join(bin('early'), 'gcc'));
    await turn();
    expect(lookup.find('gcc', options)).toBe(early);
    unlinkSync(early);
    await turn();
    expect(lookup.find('gcc', options)).toBe(late);
    tool(early);
    await turn();
    expect(lookup.find('gcc', options)).toBe(early);
    chmodSync(early, 0o644);
    await turn();
    expect(lookup.find('gcc', options)).toBe(late);
  });

  it('keeps the answer without looking again: with no events, a change is not seen', async () => {
    const deaf = new CompilerLookup(new PathWatches({ watch: deafWatch }));
    const late = tool(path.join(bin('late'), 'gcc'));
    const options = { path: `${bin('early')}:${bin('late')}`, cwd: dir, self: '' };
    expect(deaf.find('gcc', options)).toBe(late);
    tool(path.join(bin('early'), 'gcc'));
    await turn();
    expect(deaf.find('gcc', options)).toBe(late);
  });

  it('looks up every time where the directories cannot be watched', () => {
    const unwatched = new CompilerLookup(new PathWatches({ maxDirs: 0 }));
    const late = tool(path.join(bin('late'), 'gcc'));
    const options = { path: `${bin('early')}:${bin('late')}`, cwd: dir, self: '' };
    expect(unwatched.find('gcc', options)).toBe(late);
    const early = tool(path.join(bin('early'), 'gcc'));
    expect(unwatched.find('gcc', options)).toBe(early);
  });

  it('still skips sshcc itself, also when a masquerade link to it is made after the first look-up', async () => {
    const self = tool(path.join(dir, 'sshcc'));
    const real = tool(path.join(bin('real'), 'gcc'));
    const options = { path: `${bin('masq')}:${bin('real')}`, cwd: dir, self };
    expect(lookup.find('gcc', options)).toBe(real);
    mkdirSync(bin('masq'));
    linkSync(self, path.join(bin('masq'), 'gcc'));
    await turn();
    expect(lookup.find('gcc', options)).toBe(real);
    // An ordinary compiler there instead is taken.
    unlinkSync(path.join(bin('masq'), 'gcc'));
    tool(path.join(bin('masq'), 'gcc'));
    await turn();
    expect(lookup.find('gcc', options)).toBe(path.join(bin('masq'), 'gcc'));
  });

  it('answers each PATH, and each cwd where a relative entry makes it matter', () => {
    const a = tool(path.join(bin('a'), 'gcc'));
    const b = tool(path.join(bin('b'), 'gcc'));
    expect(lookup.find('gcc', { path: bin('a'), cwd: dir, self: '' })).toBe(a);
    expect(lookup.find('gcc', { path: bin('b'), cwd: dir, self: '' })).toBe(b);
    expect(lookup.find('gcc', { path: 'a', cwd: dir, self: '' })).toBe(a);
    expect(lookup.find('gcc', { path: 'gcc', cwd: bin('b'), self: '' })).toBeUndefined();
    expect(lookup.find('gcc', { path: '', cwd: bin('b'), self: '' })).toBe(b);
  });
});
