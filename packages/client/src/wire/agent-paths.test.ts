import { fnv1a32, resolveAgentPaths, type AgentPathsHost } from './agent-paths';
import { NETWORK_FS_TYPES } from './network-fs';

const EXT4 = 0xef53;
const NFS = 0x6969;

function host(env: Record<string, string>, overrides: Partial<AgentPathsHost> = {}): AgentPathsHost {
  return { env, cwd: '/work/proj', uid: 1000, homedir: '/home/ann', fsType: () => EXT4, ...overrides };
}

const LONG = `/home/ann/${'d'.repeat(100)}`;
const tag = (dir: string) => fnv1a32(dir).toString(16).padStart(8, '0');

describe('resolveAgentPaths', () => {
  it.each([
    ['default: ~/.sshcc', {}, '/home/ann/.sshcc/agent.sock'],
    ['SSHCC_DIR absolute', { SSHCC_DIR: '/srv/cc' }, '/srv/cc/agent.sock'],
    ['SSHCC_DIR with trailing slashes', { SSHCC_DIR: '/srv/cc//' }, '/srv/cc/agent.sock'],
    ['SSHCC_DIR relative to cwd', { SSHCC_DIR: 'state/' }, '/work/proj/state/agent.sock'],
    ['SSHCC_DIR empty means unset', { SSHCC_DIR: '' }, '/home/ann/.sshcc/agent.sock'],
    ['SSHCC_DIR=/', { SSHCC_DIR: '/' }, '/agent.sock'],
    ['too long: /tmp/sshcc-<uid>', { SSHCC_DIR: LONG }, `/tmp/sshcc-1000/agent-${tag(LONG)}.sock`],
    ['too long: XDG_RUNTIME_DIR first', { SSHCC_DIR: LONG, XDG_RUNTIME_DIR: '/run/user/1000/' }, `/run/user/1000/sshcc/agent-${tag(LONG)}.sock`],
    ['too long: a relative XDG_RUNTIME_DIR is ignored', { SSHCC_DIR: LONG, XDG_RUNTIME_DIR: 'run' }, `/tmp/sshcc-1000/agent-${tag(LONG)}.sock`],
    ['too long: an XDG_RUNTIME_DIR that is too long too', { SSHCC_DIR: LONG, XDG_RUNTIME_DIR: LONG }, `/tmp/sshcc-1000/agent-${tag(LONG)}.sock`],
  ])('%s', (_name, env, socket) => {
    expect(resolveAgentPaths(host(env)).socket).toBe(socket);
  });

  it('keeps the socket at exactly 107 bytes, and falls back at 108', () => {
    const fits = `/${'x'.repeat(107 - '/agent.sock'.length - 1)}`;
    expect(resolveAgentPaths(host({ SSHCC_DIR: fits })).socket).toBe(`${fits}/agent.sock`);
    expect(Buffer.byteLength(`${fits}/agent.sock`)).toBe(107);
    const over = `${fits}x`;
    expect(resolveAgentPaths(host({ SSHCC_DIR: over })).fallback).toBe('socket-path-too-long');
  });

  it('counts bytes, not characters', () => {
    const dir = `/${'é'.repeat(48)}`; // 97 bytes
    expect(resolveAgentPaths(host({ SSHCC_DIR: dir })).fallback).toBe('socket-path-too-long');
  });

  it('moves off a network file system, keeping the files together', () => {
    const paths = resolveAgentPaths(host({}, { fsType: () => NFS }));
    expect(paths).toEqual({
      configDir: '/home/ann/.sshcc',
      dir: '/tmp/sshcc-1000',
      socket: `/tmp/sshcc-1000/agent-${tag('/home/ann/.sshcc')}.sock`,
      pidFile: `/tmp/sshcc-1000/agent-${tag('/home/ann/.sshcc')}.pid`,
      logFile: `/tmp/sshcc-1000/agent-${tag('/home/ann/.sshcc')}.log`,
      fallback: 'network-fs',
    });
    for (const type of NETWORK_FS_TYPES.keys()) expect(resolveAgentPaths(host({}, { fsType: () => type })).fallback).toBe('network-fs');
  });

  it('keeps everything in the config folder normally', () => {
    expect(resolveAgentPaths(host({ SSHCC_DIR: '/srv/cc' }))).toEqual({
      configDir: '/srv/cc',
      dir: '/srv/cc',
      socket: '/srv/cc/agent.sock',
      pidFile: '/srv/cc/agent.pid',
      logFile: '/srv/cc/agent.log',
      fallback: null,
    });
  });
});

describe('fnv1a32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('%j', (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });
});
