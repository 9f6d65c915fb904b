import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatHashedHost, hashHostName, matchHashedHost, parseHashedHost } from './hashed-host-name';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnrO0Pqp2O4e3cZPMV0qrQJ0p4QEXhtVZ8gMSqr3gXM';

describe('hashed known_hosts names', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sshcc-hashed-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('matches what ssh-keygen -H writes, and nothing else', () => {
    const file = path.join(dir, 'known_hosts_h');
    writeFileSync(file, `vol1 ${KEY}\n[127.0.0.1]:2222 ${KEY}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const [first, second] = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => parseHashedHost(line.split(' ')[0]!));
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(matchHashedHost('vol1', first!)).toBe(true);
    expect(matchHashedHost('vol2', first!)).toBe(false);
    expect(matchHashedHost('[127.0.0.1]:2222', second!)).toBe(true);
    expect(matchHashedHost('127.0.0.1', second!)).toBe(false);
  });

  it('writes entries ssh-keygen -F finds', () => {
    const file = path.join(dir, 'known_hosts_f');
    writeFileSync(file, `${formatHashedHost('[127.0.0.1]:2222')} ${KEY}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' });
    expect(found).toContain('found: line 1');
    expect(() => execFileSync('ssh-keygen', ['-F', '127.0.0.1', '-f', file], { stdio: 'ignore' })).toThrow();
  });

  it('is HMAC-SHA1 keyed by the salt', () => {
    const salt = Buffer.alloc(20, 7);
    const text = formatHashedHost('vol1', salt);
    expect(text).toBe(`|1|${salt.toString('base64')}|${hashHostName('vol1', salt).toString('base64')}`);
    expect(parseHashedHost(text)).toEqual({ salt, hash: hashHostName('vol1', salt) });
  });

  it.each(['|1|', '|1|abc', '|1|AAAA|AAAA', '|2|' + Buffer.alloc(20).toString('base64') + '|' + Buffer.alloc(20).toString('base64'), 'vol1'])(
    'refuses malformed %s',
    (field) => {
      expect(parseHashedHost(field)).toBeUndefined();
    },
  );
});
