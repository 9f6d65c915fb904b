import { chmodSync, linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '../thin/client-test-fixture';
import { findRealCompiler } from './find-real-compiler';

let root: string;
let self: string;

function executable(path: string, mode = 0o755): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sshcc-find-'));
  self = executable(join(root, 'dist', 'sshcc'));
  mkdirSync(join(root, 'masq'));
  symlinkSync(self, join(root, 'masq', 'gcc'));
  mkdirSync(join(root, 'hard'));
  linkSync(self, join(root, 'hard', 'gcc'));
  executable(join(root, 'usr', 'gcc'));
  executable(join(root, 'noexec', 'gcc'), 0o644);
  mkdirSync(join(root, 'dir', 'gcc'), { recursive: true });
  executable(join(root, 'cwd', 'tools', 'gcc'));
});

afterAll(() => removeDir(root));

describe('findRealCompiler', () => {
  const find = (name: string, path: string, cwd = root) =>
    findRealCompiler(name, { path: path.replace(/@/g, root), cwd, self });

  it.each([
    ['skips a masquerade link, however often PATH lists it', 'gcc', '@/masq:@/masq:@/usr', '@/usr/gcc'],
    ['skips a hard link to sshcc', 'gcc', '@/hard:@/usr', '@/usr/gcc'],
    ['skips files that are not executable, and folders', 'gcc', '@/noexec:@/dir:@/usr', '@/usr/gcc'],
    ['takes a path as given when it is not sshcc', '@/usr/gcc', '@/masq', '@/usr/gcc'],
    ['looks a path that is sshcc up on PATH by its base name', '@/masq/gcc', '@/masq:@/usr', '@/usr/gcc'],
    ['resolves relative PATH entries against the client cwd', 'gcc', 'tools:@/usr', '@/cwd/tools/gcc'],
    ['finds nothing when only sshcc is there', 'gcc', '@/masq:@/hard', undefined],
    ['finds nothing for a missing path', '@/nowhere/gcc', '@/usr', undefined],
  ])('%s', (_name, name, path, expected) => {
    const cwd = join(root, 'cwd');
    expect(find(name.replace(/@/g, root), path, cwd)).toBe(expected?.replace(/@/g, root));
  });

  it('reads an empty PATH entry as the cwd', () => {
    expect(find('gcc', ':@/usr', join(root, 'cwd', 'tools'))).toBe(join(root, 'cwd', 'tools', 'gcc'));
  });
});
