import { formatError, SshccError } from '@sshcc/core';
import { classifySshError } from './classify-ssh-error';

function low(message: string, fields: { level?: string; code?: string | number } = {}): Error {
  return Object.assign(new Error(message), fields);
}

const ctx = { destination: 'bob@127.0.0.1:2222', triedAuth: ['ssh-agent (1 key)', '/home/bob/.ssh/id_ed25519'] };

describe('classifySshError', () => {
  it.each([
    [low('connect ECONNREFUSED 127.0.0.1:2222', { code: 'ECONNREFUSED', level: 'client-socket' }), 'sshcc: connect: cannot connect to bob@127.0.0.1:2222: connection refused'],
    [low('connect EHOSTUNREACH', { code: 'EHOSTUNREACH' }), 'sshcc: connect: cannot connect to bob@127.0.0.1:2222: host unreachable'],
    [low('read ECONNRESET', { code: 'ECONNRESET', level: 'client-socket' }), 'sshcc: connect: cannot connect to bob@127.0.0.1:2222: connection reset'],
    [low('getaddrinfo ENOTFOUND nowhere', { code: 'ENOTFOUND' }), 'sshcc: connect: cannot resolve the host name of bob@127.0.0.1:2222'],
    [low('Timed out while waiting for handshake', { level: 'client-timeout' }), 'sshcc: connect: timed out connecting to bob@127.0.0.1:2222'],
    [low('Keepalive timeout', { level: 'client-timeout' }), 'sshcc: connect: bob@127.0.0.1:2222 stopped answering (keepalive timeout)'],
    [low('Connection lost before handshake', { level: 'protocol' }), 'sshcc: connect: bob@127.0.0.1:2222 closed the connection before the ssh handshake'],
    [
      low('All configured authentication methods failed', { level: 'client-authentication' }),
      'sshcc: auth: bob@127.0.0.1:2222 refused every key (tried ssh-agent (1 key), /home/bob/.ssh/id_ed25519)',
    ],
    [low('Too many authentication failures', { code: 2 }), 'sshcc: auth: bob@127.0.0.1:2222 refused every key (tried ssh-agent (1 key), /home/bob/.ssh/id_ed25519)'],
    [low('Host denied (verification failed)', { level: 'handshake' }), 'sshcc: host key: host key of bob@127.0.0.1:2222 refused'],
    [low('Bad packet length 999999', { level: 'protocol' }), 'sshcc: protocol: ssh handshake with bob@127.0.0.1:2222 failed: Bad packet length 999999'],
    [low('Protocol error', { code: 2 }), 'sshcc: connect: bob@127.0.0.1:2222 disconnected: Protocol error'],
    [low('something else'), 'sshcc: connect: connection to bob@127.0.0.1:2222 failed: something else'],
  ])('%s', (error, line) => {
    expect(formatError(classifySshError(error, ctx))).toBe(line);
  });

  it('keeps an SshccError as it is', () => {
    const error = new SshccError('host-key', 'no known_hosts entry for x');
    expect(classifySshError(error, ctx)).toBe(error);
  });

  it('says so when there was no key to offer', () => {
    const error = classifySshError(low('All configured authentication methods failed', { level: 'client-authentication' }), {
      destination: 'h:22',
    });
    expect(formatError(error)).toBe('sshcc: auth: h:22 refused every key (no key to offer)');
  });
});
