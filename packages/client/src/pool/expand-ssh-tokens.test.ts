import { createHash } from 'node:crypto';
import { expandSshTokens, type SshTokenContext } from './expand-ssh-tokens';

const ctx: SshTokenContext = {
  host: 'vol1',
  hostname: '10.0.0.5',
  port: 2222,
  user: 'bob',
  home: '/home/al',
  localUser: 'al',
  localHostname: 'desk.example.org',
  uid: 1000,
  hostKeyAlias: 'vol-key',
  env: { KEYS: '/srv/keys', PCT: '50%h' },
};

describe('expandSshTokens', () => {
  it.each([
    ['~/.ssh/id_ed25519', '/home/al/.ssh/id_ed25519'],
    ['~', '/home/al'],
    ['~bob/x', '~bob/x'],
    ['/k/%r@%h:%p', '/k/bob@10.0.0.5:2222'],
    ['%d/%u/%n/%k', '/home/al/al/vol1/vol-key'],
    ['%l %L %i %%', 'desk.example.org desk 1000 %'],
    ['${KEYS}/id', '/srv/keys/id'],
    ['${PCT}', '50%h'],
    ['%j', ''],
  ])('%s → %s', (input, expected) => {
    expect(expandSshTokens(input, ctx)).toBe(expected);
  });

  it('%C is the sha1 of %l%h%p%r, as in ssh', () => {
    const expected = createHash('sha1').update('desk.example.org10.0.0.52222bob').digest('hex');
    expect(expandSshTokens('%C', ctx)).toBe(expected);
  });

  it.each([
    ['%Q', 'unknown token %Q'],
    ['abc%', 'a lone % at the end'],
    ['${NOPE}/x', 'environment variable ${NOPE} is not set'],
  ])('refuses %s', (input, message) => {
    expect(() => expandSshTokens(input, ctx)).toThrow(message);
  });
});
