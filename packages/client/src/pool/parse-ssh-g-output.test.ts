import { parseSshGOutput } from './parse-ssh-g-output';

// Trimmed from real `ssh -G` output (OpenSSH 9.2): only the lines sshcc reads, plus a few it must ignore.
const DEFAULTS = `host vol1
user root
hostname vol1
port 22
identitiesonly no
stricthostkeychecking ask
serveralivecountmax 3
serveraliveinterval 0
identityfile ~/.ssh/id_rsa
identityfile ~/.ssh/id_ecdsa
identityfile ~/.ssh/id_ed25519
globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2
userknownhostsfile /root/.ssh/known_hosts /root/.ssh/known_hosts2
connecttimeout none
compression no
ciphers chacha20-poly1305@openssh.com,aes128-ctr
`;

const CONFIGURED = `host foo
user bob
hostname 127.0.0.1
port 2222
identitiesonly yes
stricthostkeychecking true
serveralivecountmax 5
serveraliveinterval 7
identityagent /tmp/agent.sock
identityfile ~/.ssh/k_%r_%h
globalknownhostsfile /etc/ssh/ssh_known_hosts
userknownhostsfile /tmp/kh1 /tmp/kh2
connecttimeout 4
proxyjump jumpy,bob@other:2200
hostkeyalias foo-key
`;

describe('parseSshGOutput', () => {
  it('reads ssh defaults: no timeouts, keepalives off, the default key list', () => {
    expect(parseSshGOutput(DEFAULTS, 'vol1')).toEqual({
      host: 'vol1',
      hostname: 'vol1',
      user: 'root',
      port: 22,
      identityFiles: ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ed25519'],
      identitiesOnly: false,
      serverAliveCountMax: 3,
      userKnownHostsFiles: ['/root/.ssh/known_hosts', '/root/.ssh/known_hosts2'],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      strictHostKeyChecking: 'ask',
    });
  });

  it('reads every option sshcc uses', () => {
    expect(parseSshGOutput(CONFIGURED, 'foo')).toEqual({
      host: 'foo',
      hostname: '127.0.0.1',
      user: 'bob',
      port: 2222,
      identityFiles: ['~/.ssh/k_%r_%h'],
      identitiesOnly: true,
      proxyJump: 'jumpy,bob@other:2200',
      connectTimeout: 4,
      serverAliveInterval: 7,
      serverAliveCountMax: 5,
      userKnownHostsFiles: ['/tmp/kh1', '/tmp/kh2'],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts'],
      strictHostKeyChecking: 'yes',
      identityAgent: '/tmp/agent.sock',
      hostKeyAlias: 'foo-key',
    });
  });

  it.each([
    ['true', 'yes'],
    ['false', 'no'],
    ['ask', 'ask'],
    ['accept-new', 'accept-new'],
  ] as const)('stricthostkeychecking %s → %s', (printed, expected) => {
    expect(parseSshGOutput(`user u\nstricthostkeychecking ${printed}\n`, 'h').strictHostKeyChecking).toBe(expected);
  });

  it.each([
    ['identityagent none', 'none'],
    ['identityagent SSH_AUTH_SOCK', 'SSH_AUTH_SOCK'],
    ['', undefined],
  ])('keeps "%s" as identityAgent %p', (line, expected) => {
    expect(parseSshGOutput(`user u\n${line}\n`, 'h').identityAgent).toBe(expected);
  });

  it('treats proxyjump none as no jump', () => {
    expect(parseSshGOutput('user u\nproxyjump none\n', 'h').proxyJump).toBeUndefined();
  });

  it('refuses output it cannot have come from ssh -G', () => {
    expect(() => parseSshGOutput('hostname h\n', 'h')).toThrow('ssh -G printed no user');
    expect(() => parseSshGOutput('user u\nport twenty\n', 'h')).toThrow('ssh -G printed a non-numeric port: "twenty"');
  });
});
