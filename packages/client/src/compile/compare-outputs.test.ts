import { createHash } from 'node:crypto';
import { compareOutputs, describeOutputs } from './compare-outputs';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const files = (entries: Record<string, string>): Map<string, Buffer> => new Map(Object.entries(entries).map(([name, text]) => [name, Buffer.from(text)]));

describe('compareOutputs', () => {
  it.each<[string, Record<string, string>, Record<string, string>, boolean]>([
    ['the same object', { 'a.o': 'obj' }, { 'a.o': 'obj' }, true],
    ['another object', { 'a.o': 'obj' }, { 'a.o': 'lie' }, false],
    ['the same object and .dwo', { 'a.o': 'obj', 'a.dwo': 'dwo' }, { 'a.o': 'obj', 'a.dwo': 'dwo' }, true],
    ['the same object but another .dwo', { 'a.o': 'obj', 'a.dwo': 'dwo' }, { 'a.o': 'obj', 'a.dwo': 'lie' }, false],
    ['no .dwo here', { 'a.o': 'obj', 'a.dwo': 'dwo' }, { 'a.o': 'obj' }, false],
  ])('%s (volunteer %j, here %j): same %s', (_name, remote, here, same) => {
    expect(compareOutputs(['a.o', 'a.dwo'].filter((name) => name in remote), files(remote), files(here)).same).toBe(same);
  });

  it('names each output with both sha256, the object first', () => {
    const comparison = compareOutputs(['a.o', 'a.dwo'], files({ 'a.o': 'lie', 'a.dwo': 'dwo' }), files({ 'a.o': 'obj' }));
    expect(describeOutputs(comparison)).toBe(`a.o: volunteer sha256 ${sha('lie')}, here sha256 ${sha('obj')}; a.dwo: volunteer sha256 ${sha('dwo')}, here none (the compile here wrote none)`);
  });
});
