import { renderSshdConfig, type SshdConfigInput } from './sshd-config';

const base: SshdConfigInput = {
  listenAddress: '127.0.0.1',
  port: 2222,
  hostKeyFile: '/tmp/v/ssh_host_ed25519_key',
  authorizedKeysFile: '/tmp/v/authorized_keys',
  pidFile: '/tmp/v/sshd.pid',
  asRoot: false,
  maxSessions: 10,
  subsystemCommand: '/usr/bin/node /srv/sshcc-server.js',
  env: {},
  logLevel: 'INFO',
  disablePenalties: false,
};

const lines = (input: Partial<SshdConfigInput>): string[] => renderSshdConfig({ ...base, ...input }).split('\n');

describe('renderSshdConfig', () => {
  it('listens on the address given (a WAN volunteer listens on its namespace side of the link)', () => {
    expect(lines({ listenAddress: '10.213.0.2' })).toContain('ListenAddress 10.213.0.2');
  });

  it('writes the fixed loopback settings and the subsystem', () => {
    expect(lines({})).toEqual(
      expect.arrayContaining([
        'ListenAddress 127.0.0.1',
        'Port 2222',
        'HostKey /tmp/v/ssh_host_ed25519_key',
        'AuthorizedKeysFile /tmp/v/authorized_keys',
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication no',
        'MaxSessions 10',
        'Subsystem sshcc /usr/bin/node /srv/sshcc-server.js',
      ]),
    );
  });

  it.each([
    ['PermitRootLogin only as root', { asRoot: true }, 'PermitRootLogin prohibit-password', { asRoot: false }],
    ['the subsystem only when asked', { subsystemCommand: 'x' }, 'Subsystem sshcc x', { subsystemCommand: undefined }],
    ['PerSourcePenalties only for new sshd', { disablePenalties: true }, 'PerSourcePenalties no', { disablePenalties: false }],
  ])('writes %s', (_name, withIt, line, without) => {
    expect(lines(withIt)).toContain(line);
    expect(lines(without).join('\n')).not.toContain(line.split(' ')[0]);
  });

  it('puts every variable on one SetEnv line (sshd reads only the first)', () => {
    const setEnv = lines({ env: { TMPDIR: '/tmp/a b', LANG: 'C' } }).filter((l) => l.startsWith('SetEnv'));
    expect(setEnv).toEqual(['SetEnv "TMPDIR=/tmp/a b" "LANG=C"']);
  });

  it.each([
    [{ env: { 'BAD-NAME': 'x' } }, 'testkit: bad environment variable name "BAD-NAME"'],
    [{ env: { X: 'a"b' } }, 'testkit: X\'s value cannot be written to sshd_config: "a\\"b"'],
    [{ subsystemCommand: 'a\nPermitEmptyPasswords yes' }, 'testkit: serverCommand must not contain a newline: "a\\nPermitEmptyPasswords yes"'],
    [{ hostKeyFile: '/tmp/a b/key' }, 'testkit: host key path must not contain whitespace: "/tmp/a b/key"'],
  ])('refuses %j', (input, message) => {
    expect(() => renderSshdConfig({ ...base, ...input })).toThrow(message);
  });
});
