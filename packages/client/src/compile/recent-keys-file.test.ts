import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecentKeysFile } from './recent-keys-file';

const key = (n: number): string => n.toString(16).padStart(64, '0');

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-recent-'));
  file = join(dir, 'recent-commands.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('RecentKeysFile', () => {
  it('a later agent reads what an earlier one flushed', () => {
    const first = new RecentKeysFile(file, { capacity: 10 });
    first.set('cmd-a', key(1));
    first.set('cmd-b', key(2));
    first.flush();
    const later = new RecentKeysFile(file, { capacity: 10 });
    expect([later.get('cmd-a'), later.get('cmd-b'), later.get('cmd-c')]).toEqual([key(1), key(2), undefined]);
    // Written whole, by rename: no temp file is left.
    expect(readdirSync(dir)).toEqual(['recent-commands.json']);
  });

  it('a command set again with the same key becomes the newest, so the ones not used lately go first', () => {
    const keys = new RecentKeysFile(file, { capacity: 2 });
    keys.set('cmd-a', key(1));
    keys.set('cmd-b', key(2));
    keys.set('cmd-a', key(1));
    keys.set('cmd-c', key(3));
    expect([keys.get('cmd-a'), keys.get('cmd-b'), keys.get('cmd-c')]).toEqual([key(1), undefined, key(3)]);
    keys.flush();
  });

  it('a hit alone is not written at once, but its new order is when the agent stops', async () => {
    const keys = new RecentKeysFile(file, { capacity: 2, saveDelayMs: 20 });
    keys.set('cmd-a', key(1));
    keys.set('cmd-b', key(2));
    keys.flush();
    keys.set('cmd-a', key(1)); // a hit: cmd-a is now the newest
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([['cmd-a', key(1)], ['cmd-b', key(2)]]);
    keys.flush();
    const later = new RecentKeysFile(file, { capacity: 2 });
    later.set('cmd-c', key(3));
    expect([later.get('cmd-a'), later.get('cmd-b'), later.get('cmd-c')]).toEqual([key(1), undefined, key(3)]);
  });

  it('saves a change by itself shortly after it', async () => {
    const keys = new RecentKeysFile(file, { capacity: 10, saveDelayMs: 20 });
    keys.set('cmd-a', key(1));
    expect(existsSync(file)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(new RecentKeysFile(file, { capacity: 10 }).get('cmd-a')).toBe(key(1));
  });

  it.each([
    ['no file', null],
    ['not JSON', '{"half'],
    ['the wrong shape', '{"cmd": "key"}'],
    ['a key that is not a sha256', JSON.stringify([['cmd-a', 'not-a-key']])],
  ])('starts empty from %s, and writes a good file over it', (_what, content) => {
    if (content !== null) writeFileSync(file, content);
    const keys = new RecentKeysFile(file, { capacity: 10 });
    expect(keys.get('cmd-a')).toBeUndefined();
    keys.set('cmd-a', key(3));
    keys.flush();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([['cmd-a', key(3)]]);
  });

  it('a file it cannot write costs nothing but the hint', () => {
    const keys = new RecentKeysFile(join(dir, 'missing-dir', 'recent-commands.json'), { capacity: 10 });
    keys.set('cmd-a', key(4));
    expect(() => keys.flush()).not.toThrow();
    expect(keys.get('cmd-a')).toBe(key(4));
  });
});
