import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMasqueradeDirs } from './masquerade-finding';

let root: string;
let self: string;

function executable(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

function linkAll(dir: string, target: string, names: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const name of names) symlinkSync(target, join(dir, name));
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sshcc-doctor-masq-'));
  self = executable(join(root, 'dist', 'sshcc'));
  executable(join(root, 'usr', 'gcc'));
  executable(join(root, 'usr', 'cc'));
  linkAll(join(root, 'masq'), self, ['gcc', 'cc']);
  linkAll(join(root, 'ccache'), executable(join(root, 'bin', 'ccache')), ['gcc', 'cc']);
  // A folder of links left by a build since moved, one to another sshcc, a hard link, and gcc itself.
  mkdirSync(join(root, 'mixed'));
  symlinkSync(join(root, 'old', 'sshcc'), join(root, 'mixed', 'gcc'));
  symlinkSync(executable(join(root, 'other', 'sshcc')), join(root, 'mixed', 'g++'));
  linkSync(self, join(root, 'mixed', 'cc'));
  symlinkSync(join(root, 'usr', 'gcc'), join(root, 'mixed', 'clang'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const scan = (path: string[], named: string[] = []) => findMasqueradeDirs({ path: path.map((p) => p.replace('@', root)), cwd: root, self, named });

describe('findMasqueradeDirs', () => {
  it('finds a folder of links on PATH, first: nothing shadows it', () => {
    const [found, ...rest] = scan(['@/masq', '@/usr']);
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ dir: join(root, 'masq'), pathIndex: 0, shadowedBy: [], ccacheAfter: null });
    expect(found?.links.map((link) => [link.name, link.state])).toEqual([
      ['gcc', 'self'],
      ['g++', 'absent'],
      ['cc', 'self'],
      ['c++', 'absent'],
      ['clang', 'absent'],
      ['clang++', 'absent'],
    ]);
  });

  it('names the real compilers PATH finds before it', () => {
    expect(scan(['@/usr', '@/masq'])[0]).toMatchObject({
      pathIndex: 1,
      shadowedBy: [
        { name: 'gcc', path: join(root, 'usr', 'gcc') },
        { name: 'cc', path: join(root, 'usr', 'cc') },
      ],
    });
  });

  it("takes ccache's links before it for the documented order, and after it for trouble", () => {
    expect(scan(['@/ccache', '@/masq', '@/usr'])[0]).toMatchObject({ pathIndex: 1, shadowedBy: [], ccacheAfter: null });
    expect(scan(['@/masq', '@/ccache', '@/usr'])[0]).toMatchObject({ pathIndex: 0, ccacheAfter: join(root, 'ccache') });
  });

  it('checks a named folder PATH does not list, and tells where each link leads', () => {
    const [found] = scan(['@/usr'], [join(root, 'mixed')]);
    expect(found).toMatchObject({ dir: join(root, 'mixed'), pathIndex: null, shadowedBy: [] });
    expect(found?.links.filter((link) => link.state !== 'absent')).toEqual([
      { name: 'gcc', path: join(root, 'mixed', 'gcc'), state: 'dangling', target: join(root, 'old', 'sshcc') },
      { name: 'g++', path: join(root, 'mixed', 'g++'), state: 'other-sshcc', target: join(root, 'other', 'sshcc') },
      { name: 'cc', path: join(root, 'mixed', 'cc'), state: 'self', target: null },
      { name: 'clang', path: join(root, 'mixed', 'clang'), state: 'elsewhere', target: join(root, 'usr', 'gcc') },
    ]);
  });

  it('finds no masquerade folder where PATH has only real compilers and ccache', () => {
    expect(scan(['@/ccache', '@/usr'])).toEqual([]);
  });
});
