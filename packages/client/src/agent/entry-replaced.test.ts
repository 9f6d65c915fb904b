import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
