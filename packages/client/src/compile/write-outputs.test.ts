import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalPath, OutputTemps, processOwner, tempOwnerOf, type TempOwner } from './output-temps';
import { writeOutputsAtomically } from './write-outputs';

/** Both ways outputs are written: small ones synchronously, more than 1 MiB in all through the promise API. */
const SIZES: [string, number][] = [
  ['small outputs', 6],
  ['outputs past 1 MiB', 1100 * 1024],
];

describe('writeOutputsAtomically', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sshcc-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(SIZES)('replaces every target and leaves no temp file: %s', async (_name, size) => {
    writeFileSync(join(dir, 'a.o'), 'stale');
    const object = Buffer.alloc(size, 'o');
    await writeOutputsAtomically(
      [
        { path: join(dir, 'a.dwo'), data: Buffer.from('dwo') },
        { path: join(dir, 'a.o'), data: object },
      ],
      0o022,
    );
    expect(readFileSync(join(dir, 'a.o')).equals(object)).toBe(true);
    expect(readFileSync(join(dir, 'a.dwo'), 'utf8')).toBe('dwo');
    expect(readdirSync(dir).sort()).toEqual(['a.dwo', 'a.o']);
  });

  it("names each temp by this process, after the journal has named the temp's folder", async () => {
    const owner = processOwner() as TempOwner;
    const journal = journalPath(join(mkdtempSync(join(tmpdir(), 'sshcc-journal-')), 'agent.temps'), owner);
    const temps = new OutputTemps(owner, journal);
    const tempPath = temps.tempPath.bind(temps);
    const seen: { temp: string; journal: string }[] = [];
    jest.spyOn(temps, 'tempPath').mockImplementation((target) => {
      const temp = tempPath(target);
      seen.push({ temp, journal: readFileSync(journal, 'utf8') });
      return temp;
    });
    await writeOutputsAtomically([{ path: join(dir, 'j.o'), data: Buffer.from('x') }], 0o022, temps);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.journal).toBe(`${JSON.stringify(dir)}\n`);
    expect(tempOwnerOf((seen[0]?.temp as string).slice(dir.length + 1))).toEqual(owner);
    expect(readdirSync(dir)).toEqual(['j.o']);
    temps.close();
    rmSync(join(journal, '..'), { recursive: true, force: true });
  });

  it.each(SIZES)('creates files with the client umask applied: %s', async (_name, size) => {
    await writeOutputsAtomically([{ path: join(dir, 'u.o'), data: Buffer.alloc(size, 'x') }], 0o027);
    expect(statSync(join(dir, 'u.o')).mode & 0o777).toBe(0o640);
  });

  it.each(SIZES)('touches no target and leaves no temp file when a folder cannot be written: %s', async (_name, size) => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a target folder that does not exist instead.
      await expect(
        writeOutputsAtomically(
          [
            { path: join(dir, 'ok.o'), data: Buffer.alloc(size, 'x') },
            { path: join(dir, 'missing', 'b.o'), data: Buffer.from('y') },
          ],
          0o022,
        ),
      ).rejects.toMatchObject({ code: 'output-write' });
    } else {
      const locked = join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      await expect(
        writeOutputsAtomically(
          [
            { path: join(dir, 'ok.o'), data: Buffer.alloc(size, 'x') },
            { path: join(locked, 'b.o'), data: Buffer.from('y') },
          ],
          0o022,
        ),
      ).rejects.toMatchObject({ code: 'output-write' });
      chmodSync(locked, 0o700);
    }
    expect(readdirSync(dir).filter((name) => name !== 'locked')).toEqual([]);
  });

  describe('a small target that already holds the same bytes', () => {
    const object = Buffer.from('the same object, again');
    const old = new Date('2020-01-01T00:00:00Z');
    const target = () => join(dir, 's.o');
    beforeEach(() => {
      writeFileSync(target(), object, { mode: 0o640 });
      utimesSync(target(), old, old);
    });

    it('is kept (same inode, its own mode) and only marked new, as make needs', async () => {
      const before = statSync(target());
      await writeOutputsAtomically([{ path: target(), data: object }], 0o022);
      const after = statSync(target());
      expect({ ino: after.ino, mode: after.mode & 0o777, same: readFileSync(target()).equals(object) }).toEqual({ ino: before.ino, mode: 0o640, same: true });
      expect(after.mtimeMs).toBeGreaterThan(old.getTime());
      expect(readdirSync(dir)).toEqual(['s.o']);
    });

    it.each([
      ['other bytes of the same size', Buffer.from('the same object, AGAIN')],
      ['a longer object', Buffer.concat([object, Buffer.from('!')])],
    ])('is replaced when the new one holds %s', async (_what, data) => {
      const before = statSync(target());
      await writeOutputsAtomically([{ path: target(), data }], 0o022);
      expect(statSync(target()).ino).not.toBe(before.ino);
      expect(readFileSync(target()).equals(data)).toBe(true);
    });

    it('is never reached through a symlink: the link is replaced by the object, its file left alone', async () => {
      const link = join(dir, 'l.o');
      symlinkSync(target(), link);
      await writeOutputsAtomically([{ path: link, data: object }], 0o022);
      expect(statSync(link).ino).not.toBe(statSync(target()).ino);
      expect(statSync(target()).mtimeMs).toBe(old.getTime());
    });
  });
});
