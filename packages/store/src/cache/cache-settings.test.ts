import { cacheRoot } from './cache-dir';
import { cacheSettings, parseCacheSize } from './cache-settings';

describe('cache settings', () => {
  it.each([
    ['5G', 5 * 1024 ** 3],
    ['500M', 500 * 1024 ** 2],
    ['64k', 64 * 1024],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['1048576', 1048576],
    ['10MB', 10 * 1024 ** 2],
    ['lots', null],
    ['-1G', null],
    ['', null],
  ])('%j is %p bytes', (text, bytes) => {
    expect(parseCacheSize(text)).toBe(bytes);
  });

  it('lives under XDG_CACHE_HOME when it is absolute, else ~/.cache', () => {
    expect(cacheRoot({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/me' })).toBe('/x/cache/sshcc');
    expect(cacheRoot({ XDG_CACHE_HOME: 'relative', HOME: '/home/me' })).toBe('/home/me/.cache/sshcc');
    expect(cacheRoot({ HOME: '/home/me' })).toBe('/home/me/.cache/sshcc');
  });

  it('gives each side its own folder, 5 GiB by default', () => {
    expect(cacheSettings('volunteer', { HOME: '/h' })).toEqual({ dir: '/h/.cache/sshcc/volunteer', maxBytes: 5 * 1024 ** 3 });
    expect(cacheSettings('agent', { HOME: '/h' })?.dir).toBe('/h/.cache/sshcc/agent');
  });

  it('is off with SSHCC_CACHE=0 or enabled: false', () => {
    expect(cacheSettings('volunteer', { HOME: '/h', SSHCC_CACHE: '0' })).toBeNull();
    expect(cacheSettings('volunteer', { HOME: '/h' }, { enabled: false })).toBeNull();
    expect(cacheSettings('volunteer', { HOME: '/h', SSHCC_CACHE: '1' })).not.toBeNull();
  });

  it('takes its size from SSHCC_CACHE_SIZE over the config', () => {
    expect(cacheSettings('volunteer', { HOME: '/h' }, { maxSize: '1G' })?.maxBytes).toBe(1024 ** 3);
    expect(cacheSettings('volunteer', { HOME: '/h' }, { maxSize: 4096 })?.maxBytes).toBe(4096);
    expect(cacheSettings('volunteer', { HOME: '/h', SSHCC_CACHE_SIZE: '2M' }, { maxSize: '1G' })?.maxBytes).toBe(2 * 1024 ** 2);
    expect(() => cacheSettings('volunteer', { HOME: '/h', SSHCC_CACHE_SIZE: 'huge' })).toThrow('SSHCC_CACHE_SIZE: "huge" is not a size (e.g. 5G, 500M, 1048576)');
  });
});
