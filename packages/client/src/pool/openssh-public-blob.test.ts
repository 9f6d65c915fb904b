import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { opensshPublicBlob } from './openssh-public-blob';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sshcc-pubblob-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pubBlob(file: string): Buffer {
  return Buffer.from(readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!, 'base64');
}

describe('opensshPublicBlob', () => {
  it.each([
    ['ed25519, no passphrase', ['-t', 'ed25519', '-N', '']],
    ['ed25519, encrypted', ['-t', 'ed25519', '-N', 'secret']],
    ['ecdsa, encrypted', ['-t', 'ecdsa', '-N', 'secret']],
    ['rsa, encrypted', ['-t', 'rsa', '-b', '2048', '-N', 'secret']],
  ])('reads the public key of a %s key without its passphrase', (name, args) => {
    const file = path.join(dir, name.replace(/\W+/g, '_'));
    execFileSync('ssh-keygen', ['-q', ...args, '-f', file]);
    expect(opensshPublicBlob(readFileSync(file, 'utf8'))?.equals(pubBlob(file))).toBe(true);
  });

  it.each([
    ['a PEM key', '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n'],
    ['a truncated key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n'],
    ['garbage', 'hello'],
  ])('gives nothing for %s', (_name, text) => {
    expect(opensshPublicBlob(text)).toBeUndefined();
  });
});
