import { resolveHostSources, type HostSource } from '@sshcc/core';

const HOME = '/home/me';
const USER_FILE = '/home/me/.sshcc/hosts';
const SYSTEM_FILE = '/etc/sshcc/hosts';

function notFound(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

/** A readFile over an in-memory set of files, like fs.readFileSync's failures for the rest. */
function filesystem(files: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = files[path];
    if (text === undefined) throw notFound(path);
    return text;
  };
}

const ALL: readonly HostSource[] = [
  { kind: 'env', name: 'SSHCC_HOSTS' },
  { kind: 'file', path: USER_FILE },
  { kind: 'file', path: SYSTEM_FILE },
  { kind: 'env', name: 'DISTCC_HOSTS' },
];

describe('resolveHostSources', () => {
  it.each<[string, Record<string, string>, Record<string, string>, HostSource, string[]]>([
    ['SSHCC_HOSTS first', { SSHCC_HOSTS: 'a', DISTCC_HOSTS: '@d' }, { [USER_FILE]: 'u', [SYSTEM_FILE]: 's' }, ALL[0]!, ['a']],
    ['an empty SSHCC_HOSTS still wins', { SSHCC_HOSTS: '' }, { [USER_FILE]: 'u' }, ALL[0]!, []],
    ['then ~/.sshcc/hosts', { DISTCC_HOSTS: '@d' }, { [USER_FILE]: 'u', [SYSTEM_FILE]: 's' }, ALL[1]!, ['u']],
    ['then /etc/sshcc/hosts', { DISTCC_HOSTS: '@d' }, { [SYSTEM_FILE]: 's' }, ALL[2]!, ['s']],
    ['then DISTCC_HOSTS', { DISTCC_HOSTS: '@d localhost' }, {}, ALL[3]!, ['d', 'localhost']],
    ['SSHCC_DIR moves the user file', { SSHCC_DIR: '/tmp/x' }, { '/tmp/x/hosts': 'x', [USER_FILE]: 'u' }, { kind: 'file', path: '/tmp/x/hosts' }, ['x']],
  ])('%s', (_name, env, files, source, hosts) => {
    const resolved = resolveHostSources({ env, homeDir: HOME, readFile: filesystem(files) });
    expect(resolved.source).toEqual(source);
    expect(resolved.hosts.map((h) => (h.kind === 'ssh' ? h.host : 'localhost'))).toEqual(hosts);
  });

  it('records every place it looked, up to the one used', () => {
    const resolved = resolveHostSources({ env: {}, homeDir: HOME, readFile: filesystem({ [SYSTEM_FILE]: 'sys/2' }) });
    expect(resolved.searched).toEqual(ALL.slice(0, 3));
  });

  it('says so when nothing is configured: an empty list, and compiles run here', () => {
    expect(resolveHostSources({ env: {}, homeDir: HOME, readFile: filesystem({}) })).toEqual({
      source: { kind: 'none' },
      hosts: [],
      randomize: false,
      localSlots: null,
      localSlotsCpp: null,
      warnings: [],
      searched: ALL,
    });
  });

  it('returns DISTCC_HOSTS warnings as data', () => {
    const resolved = resolveHostSources({ env: { DISTCC_HOSTS: 'tcpbox @fast' }, homeDir: HOME, readFile: filesystem({}) });
    expect(resolved.hosts).toHaveLength(1);
    expect(resolved.warnings.map((w) => w.token)).toEqual(['tcpbox']);
  });

  it('treats a missing parent directory like a missing file', () => {
    const readFile = (path: string): string => {
      throw Object.assign(new Error(`ENOTDIR: not a directory, open '${path}'`), { code: 'ENOTDIR' });
    };
    expect(resolveHostSources({ env: {}, homeDir: HOME, readFile }).source).toEqual({ kind: 'none' });
  });

  it('fails on a hosts file that exists but cannot be read', () => {
    const readFile = (path: string): string => {
      if (path === USER_FILE) throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
      throw notFound(path);
    };
    expect(() => resolveHostSources({ env: {}, homeDir: HOME, readFile })).toThrow(
      expect.objectContaining({
        code: 'config',
        message: "cannot read the host list /home/me/.sshcc/hosts: EACCES: permission denied, open '/home/me/.sshcc/hosts'",
      }),
    );
  });

  it('names the file and line of a bad entry', () => {
    const readFile = filesystem({ [USER_FILE]: 'fast\nslow/0\n' });
    expect(() => resolveHostSources({ env: {}, homeDir: HOME, readFile })).toThrow('/home/me/.sshcc/hosts:2: bad slot count "0" in "slow/0"');
  });
});
