import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MirrorTree } from './mirror-files';

let base: string;
beforeEach(() => (base = mkdtempSync(join(tmpdir(), 'sshcc-mirror-test-'))));
afterEach(() => rmSync(base, { recursive: true, force: true }));

const file = (path: string, text: string) => ({ path, text: Buffer.from(text) });

describe('a mirror tree kept across jobs', () => {
  it('holds exactly the last job’s files, rewriting only those that changed', () => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/home/me/proj');
    const header = join(at.root, 'usr/include/stdio.h');
    const main = join(at.cwd, 'src/a.c');
    expect(tree.write(at, [file('src/a.c', 'int a;\n'), file('/usr/include/stdio.h', 'int puts();\n'), file('../inc/m.h', '#define M\n')])).toBe(true);
    // Set back, so that a rewrite, whatever inode it gets, shows.
    utimesSync(header, 1_000_000, 1_000_000);

    expect(tree.write(at, [file('src/a.c', 'int b;\n'), file('/usr/include/stdio.h', 'int puts();\n')])).toBe(true);
    expect(statSync(header).mtimeMs).toBe(1_000_000_000);
    expect(readFileSync(main, 'utf8')).toBe('int b;\n');
    // Not part of this job: a quote of it would be the last job's.
    expect(existsSync(join(at.root, 'home/me/inc/m.h'))).toBe(false);
    expect(tree.owns(main) && tree.owns(header) && tree.owns(at.cwd)).toBe(true);
    expect(tree.owns(join(at.root, 'home/me/inc/m.h'))).toBe(false);
  });

  it.each([
    ['more .. than the cwd is deep', '../../../../etc/passwd'],
    ['a NUL in the name', 'a\0.h'],
  ])('refuses a path with %s and says the mirror is incomplete', (_what, path) => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/p');
    expect(tree.write(at, [file('a.c', 'x\n'), file(path, 'y\n')])).toBe(false);
    expect(readFileSync(join(at.cwd, 'a.c'), 'utf8')).toBe('x\n');
  });

  it('takes the first of two names for one file', () => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/p');
    expect(tree.write(at, [file('inc/../b.h', 'first\n'), file('b.h', 'second\n')])).toBe(true);
    expect(readFileSync(join(at.cwd, 'b.h'), 'utf8')).toBe('first\n');
  });

  it('makes a dir where the last job had a file of that name', () => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/p');
    expect(tree.write(at, [file('x', 'a file\n')])).toBe(true);
    expect(tree.write(at, [file('x/y.h', 'now a dir\n')])).toBe(true);
    expect(readFileSync(join(at.cwd, 'x/y.h'), 'utf8')).toBe('now a dir\n');
  });

  it('never writes through what else stands at a file’s name', () => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/p');
    writeFileSync(join(at.cwd, 'stray.h'), 'not the mirror’s\n');
    expect(tree.write(at, [file('stray.h', 'mirrored\n')])).toBe(false);
    expect(readFileSync(join(at.cwd, 'stray.h'), 'utf8')).toBe('not the mirror’s\n');
  });

  it("gives the last job's source, no longer needed, the name of this job's: no new inode, nothing left aside", () => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/p');
    expect(tree.write(at, [file('one.c', 'int one;\n'), file('m.h', 'm\n')])).toBe(true);
    const inode = statSync(join(at.cwd, 'one.c')).ino;
    expect(tree.write(at, [file('two.c', 'int two;\n'), file('m.h', 'm\n')])).toBe(true);
    expect(statSync(join(at.cwd, 'two.c')).ino).toBe(inode);
    expect(readFileSync(join(at.cwd, 'two.c'), 'utf8')).toBe('int two;\n');
    expect(existsSync(join(at.cwd, 'one.c'))).toBe(false);
    expect(readdirSync(join(base, 'spare'))).toEqual([]);
  });

  it('never takes a name something else stands at, spare or not', () => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/p');
    expect(tree.write(at, [file('one.c', 'int one;\n')])).toBe(true);
    writeFileSync(join(at.cwd, 'two.c'), 'a stray\n');
    expect(tree.write(at, [file('two.c', 'int two;\n')])).toBe(false);
    expect(readFileSync(join(at.cwd, 'two.c'), 'utf8')).toBe('a stray\n');
    expect(readdirSync(join(base, 'spare'))).toEqual([]);
  });

  it('past the file limit writes nothing and drops what it held', () => {
    const tree = new MirrorTree(join(base, 'root'), join(base, 'spare'));
    const at = tree.at('/p');
    expect(tree.write(at, [file('a.h', 'x\n')])).toBe(true);
    expect(tree.write(at, Array.from({ length: 50_001 }, (_, i) => file(`f${i}.h`, '')))).toBe(false);
    expect(existsSync(join(at.cwd, 'a.h'))).toBe(false);
    expect(existsSync(join(at.cwd, 'f0.h'))).toBe(false);
  });
});
