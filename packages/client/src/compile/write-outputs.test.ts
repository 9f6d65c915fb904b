import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutputsAtomically } from './write-outputs';

describe('writeOutputsAtomically', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sshcc-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces every target and leaves no temp file', async () => {
    writeFileSync(join(dir, 'a.o'), 'stale');
    await writeOutputsAtomically(
      [
        { path: join(dir, 'a.dwo'), data: Buffer.from('dwo') },
        { path: join(dir, 'a.o'), data: Buffer.from('object') },
      ],
      0o022,
    );
    expect(readFileSync(join(dir, 'a.o'), 'utf8')).toBe('object');
    expect(readFileSync(join(dir, 'a.dwo'), 'utf8')).toBe('dwo');
    expect(readdirSync(dir).sort()).toEqual(['a.dwo', 'a.o']);
  });

  it('creates files with the client umask applied', async () => {
    await writeOutputsAtomically([{ path: join(dir, 'u.o'), data: Buffer.from('x') }], 0o027);
    expect(statSync(join(dir, 'u.o')).mode & 0o777).toBe(0o640);
  });

  it('touches no target and leaves no temp file when a folder cannot be written', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a target folder that does not exist instead.
      await expect(
        writeOutputsAtomically(
          [
            { path: join(dir, 'ok.o'), data: Buffer.from('x') },
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
            { path: join(dir, 'ok.o'), data: Buffer.from('x') },
            { path: join(locked, 'b.o'), data: Buffer.from('y') },
          ],
          0o022,
        ),
      ).rejects.toMatchObject({ code: 'output-write' });
      chmodSync(locked, 0o700);
    }
    expect(readdirSync(dir).filter((name) => name !== 'locked')).toEqual([]);
  });
});
