import { formatError, SshccError } from '@sshcc/core';
import { classifySshError, meansUnreachable } from './classify-ssh-error';

function low(message: string, fields: { level?: string; code?: string | number } = {}): Error {
  return Object.assign(new Error(message), fields);
}

const ctx = { destination: 'bob@127.0.0.1:2222', triedAuth: ['ssh-agent (1 key)', '/home/bob/.ssh/id_ed25519'] };

describe('classifySshError', () => {
  it.each([
    [low('connect ECONNREFUSED 127.0.0.1:2222', { code: 'ECONNREFUSED', level: 'client-socket' }), 'sshcc: connect: cannot connect to bob@127.0.0.1:2222: connection refused', false],
    [low('connect EHOSTUNREACH', { code: 'EHOSTUNREACH' }), 'sshcc: connect: cannot connect to bob@127.0.0.1:2222: host unreachable', true],
    [low('read ECONNRESET', { code: 'ECONNRESET', level: 'client-socket' }), 'sshcc: connect: cannot connect to bob@127.0.0.1:2222: connection reset', false],
    [low('getaddrinfo ENOTFOUND nowhere', { code: 'ENOTFOUND' }), 'sshcc: connect: cannot resolve the host name of bob@127.0.0.1:2222', true],
    [low('Timed out while waiting for handshake', { level: 'client-timeout' }), 'sshcc: connect: timed out connecting to bob@127.0.0.1:2222', true],
    [low('Keepalive timeout', { level: 'client-timeout' }), 'sshcc: connect: bob@127.0.0.1:2222 stopped answering (keepalive timeout)', true],
    [low('Connection lost before handshake', { level: 'protocol' }), 'sshcc: connect: bob@127.0.0.1:2222 closed the connection before the ssh handshake', false],
    [
      low('All configured authentication methods failed', { level: 'client-authentication' }),
      'sshcc: auth: bob@127.0.0.1:2222 refused every key (tried ssh-agent (1 key), /home/bob/.ssh/id_ed25519)',
      false,
    ],
    [low('Too many authentication failures', { code: 2 }), 'sshcc: auth: bob@127.0.0.1:2222 refused every key (tried ssh-agent (1 key), /home/bob/.ssh/id_ed25519)', false],
    [low('Host denied (verification failed)', { level: 'handshake' }), 'sshcc: host key: host key of bob@127.0.0.1:2222 refused', false],
    [low('Bad packet length 999999', { level: 'protocol' }), 'sshcc: protocol: ssh handshake with bob@127.0.0.1:2222 failed: Bad packet length 999999', false],
    [low('Protocol error', { code: 2 }), 'sshcc: connect: bob@127.0.0.1:2222 disconnected: Protocol error', false],
    [low('something else'), 'sshcc: connect: connection to bob@127.0.0.1:2222 failed: something else', false],
  ])('%s', (error, line, unreachable) => {
    const classified = classifySshError(error, ctx);
    expect(formatError(classified)).toBe(line);
    // Whether the machine, not just this connection, is out of reach: raw or classified, the same answer.
    expect([meansUnreachable(error), meansUnreachable(classified)]).toEqual([unreachable, unreachable]);
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
