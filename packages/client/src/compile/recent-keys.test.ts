import { RecentKeys } from './recent-keys';

describe('RecentKeys', () => {
  it('gives the last key set for a command, and nothing for an unknown one', () => {
    const keys = new RecentKeys(4);
    keys.set('gcc -c a.c', 'k1');
    keys.set('gcc -c a.c', 'k2');
    expect(keys.get('gcc -c a.c')).toBe('k2');
    expect(keys.get('gcc -c b.c')).toBeUndefined();
  });

  it('forgets the least recently set command past its capacity', () => {
    const keys = new RecentKeys(2);
    keys.set('a', '1');
    keys.set('b', '2');
    keys.set('a', '3'); // a is now newer than b
    keys.set('c', '4');
    expect([keys.get('a'), keys.get('b'), keys.get('c')]).toEqual(['3', undefined, '4']);
  });

  it('starts from saved entries, oldest first, keeping the newest past its capacity', () => {
    const keys = new RecentKeys(2, [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    expect(keys.entries()).toEqual([
      ['b', '2'],
      ['c', '3'],
    ]);
  });
});
