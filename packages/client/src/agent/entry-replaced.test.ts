import { mkdtempSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathWatches } from '../compile/path-watches';
import { deafWatch, turn } from '../compile/path-watches-test-fixture';
import { entryReplaced } from './entry-replaced';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sshcc-entry-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('entryReplaced', () => {
  it('says nothing while the file is the one the agent started from', () => {
    const file = join(dir, 'main.js');
    writeFileSync(file, 'old');
    const check = entryReplaced(file);
    expect(check()).toBeNull();
    expect(check()).toBeNull();
  });

  it('notices a new file renamed into place, as npm installs an upgrade', () => {
    const file = join(dir, 'main.js');
    writeFileSync(file, 'old');
    const check = entryReplaced(file);
    writeFileSync(join(dir, 'new.js'), 'old');
    renameSync(join(dir, 'new.js'), file);
    expect(check()).toBe(`${file}, which this agent runs from, was replaced`);
  });

  it('notices an uninstall', () => {
    const file = join(dir, 'main.js');
    writeFileSync(file, 'old');
    const check = entryReplaced(file);
    unlinkSync(file);
    expect(check()).toBe(`${file}, which this agent runs from, was removed`);
  });

  it('never fires for a file that was not there at the start', () => {
    const file = join(dir, 'main.js');
    const check = entryReplaced(file);
    writeFileSync(file, 'new');
    expect(check()).toBeNull();
  });
});

describe('entryReplaced, watched', () => {
  let watches: PathWatches;
  beforeEach(() => (watches = new PathWatches()));
  afterEach(() => watches.close());

  it('stats the file only once a change to it was seen, and then notices the upgrade', async () => {
    const file = join(dir, 'main.js');
    writeFileSync(file, 'old');
    const stats: string[] = [];
    const check = entryReplaced(file, (path) => (stats.push(path), statSync(path)), watches);
    for (let i = 0; i < 100; i++) expect(check()).toBeNull();
    // One at the start, one for the first check, which starts the watch.
    expect(stats).toHaveLength(2);
    writeFileSync(join(dir, 'other.js'), 'x');
    await turn();
    expect(check()).toBeNull();
    expect(stats).toHaveLength(2);
    writeFileSync(join(dir, 'new.js'), 'new');
    renameSync(join(dir, 'new.js'), file);
    await turn();
    expect(check()).toBe(`${file}, which this agent runs from, was replaced`);
    expect(check()).toBe(`${file}, which this agent runs from, was replaced`);
  });

  it('looks at nothing between events: with a deaf watch, even a removal goes unseen', async () => {
    const file = join(dir, 'main.js');
    writeFileSync(file, 'old');
    const check = entryReplaced(file, statSync, new PathWatches({ watch: deafWatch }));
    expect(check()).toBeNull();
    unlinkSync(file);
    await turn();
    expect(check()).toBeNull();
  });
});
