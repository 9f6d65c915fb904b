import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PathWatches, resolutionSteps } from './path-watches';
import { deafWatch, turn, withWatchedTempDir } from './path-watches-test-fixture';

let dir: string;
let watches: PathWatches;

withWatchedTempDir('sshcc-path-watches-', (made) => ({ dir, watches } = made));

describe('resolutionSteps', () => {
  it('names each last entry, each link and where it points, and the first missing entry', () => {
    mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real', 'cc'), '');
    symlinkSync('real', path.join(dir, 'via'));
    const steps = resolutionSteps([path.join(dir, 'via', 'cc'), path.join(dir, 'missing', 'deeper', 'cc'), dir]);
    expect(steps).toEqual([
      [dir, 'via'],
      [path.join(dir, 'real'), 'cc'],
      [dir, 'missing'],
      [path.dirname(dir), path.basename(dir)],
    ]);
  });

  it('stops at a file where a directory was needed', () => {
    writeFileSync(path.join(dir, 'file'), '');
    expect(resolutionSteps([path.join(dir, 'file', 'cc')])).toEqual([[dir, 'file']]);
  });
});

describe('PathWatches.cover', () => {
  it('ends at the next turn when a missing directory on the way is created, not for other names', async () => {
    const file = path.join(dir, 'later', 'bin', 'cc');
    const validity = watches.cover([file]);
    writeFileSync(path.join(dir, 'other'), '');
    await turn();
    expect(validity?.valid).toBe(true);
    mkdirSync(path.join(dir, 'later'));
    await turn();
    expect(validity?.valid).toBe(false);
  });

  it('ends when a link on the way is retargeted, or the file is replaced by a rename', async () => {
    mkdirSync(path.join(dir, 'a'));
    writeFileSync(path.join(dir, 'a', 'cc'), '');
    symlinkSync('a', path.join(dir, 'cur'));
    const viaLink = watches.cover([path.join(dir, 'cur', 'cc')]);
    unlinkSync(path.join(dir, 'cur'));
    symlinkSync('b', path.join(dir, 'cur'));
    await turn();
    expect(viaLink?.valid).toBe(false);
    const file = watches.cover([path.join(dir, 'a', 'cc')]);
    writeFileSync(path.join(dir, 'a', 'cc.new'), '');
    await turn();
    expect(file?.valid).toBe(true);
    renameSync(path.join(dir, 'a', 'cc.new'), path.join(dir, 'a', 'cc'));
    await turn();
    expect(file?.valid).toBe(false);
  });

  it('ends everything under a directory that is removed, and watches it afresh when it is back', async () => {
    mkdirSync(path.join(dir, 'bin'));
    const before = watches.cover([path.join(dir, 'bin', 'cc')]);
    rmSync(path.join(dir, 'bin'), { recursive: true });
    await turn();
    expect(before?.valid).toBe(false);
    mkdirSync(path.join(dir, 'bin'));
    const after = watches.cover([path.join(dir, 'bin', 'cc')]);
    writeFileSync(path.join(dir, 'bin', 'cc'), '');
    await turn();
    expect(after?.valid).toBe(false);
  });

  it('says null where a directory cannot be watched, or past its bound of directories', () => {
    const failing = new PathWatches({
      watch: () => {
        throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      },
    });
    expect(failing.cover([path.join(dir, 'cc')])).toBeNull();
    const bounded = new PathWatches({ maxDirs: 1, watch: deafWatch });
    mkdirSync(path.join(dir, 'a'));
    // "/" is the one directory it may watch: `dir/a` is one too many.
    expect(bounded.cover(['/cc'])).not.toBeNull();
    expect(bounded.cover([path.join(dir, 'a', 'cc')])).toBeNull();
    const kept = bounded.cover(['/tmp']);
    expect(kept?.valid).toBe(true);
    bounded.close();
    expect(kept?.valid).toBe(false);
  });

  it('says null for a directory on a filesystem another machine may change (NFS, SMB, FUSE, …)', () => {
    const shared = new PathWatches({ watch: deafWatch, shared: (at) => at === dir });
    expect(shared.cover([path.join(dir, 'cc')])).toBeNull();
    expect(shared.cover(['/cc'])).not.toBeNull();
    shared.close();
  });

  it('frees the directories no one depends on once at its bound', () => {
    const bounded = new PathWatches({ maxDirs: 1, watch: deafWatch });
    const first = bounded.cover([path.join(dir, 'cc')]);
    expect(first).not.toBeNull();
    expect(bounded.cover(['/cc'])).toBeNull();
    first?.end();
    // "/" fits once `dir`, which `first` alone needed, is let go.
    expect(bounded.cover(['/cc'])).not.toBeNull();
    bounded.close();
  });
});
