import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatError } from '@sshcc/core';
import { hostKeyError } from './host-key-error';
import { parseKnownHosts } from './parse-known-hosts';
import { checkHostKey } from './check-host-key';
import { keyFingerprint } from './key-fingerprint';

const A = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIBnrO0Pqp2O4e3cZPMV0qrQJ0p4QEXhtVZ8gMSqr3gXM', 'base64');
const B = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', 'base64');
const ctx = { name: '[127.0.0.1]:2222', key: A, sshCommand: 'ssh vol1' };

function message(knownHosts: string): string {
  const error = hostKeyError(checkHostKey(parseKnownHosts(knownHosts, '/kh'), ctx.name, A), ctx);
  expect(error?.code).toBe('host-key');
  return formatError(error);
}

describe('hostKeyError', () => {
  it('accepts a trusted key', () => {
    expect(hostKeyError(checkHostKey(parseKnownHosts(`[127.0.0.1]:2222 ssh-ed25519 ${A.toString('base64')}`, '/kh'), ctx.name, A), ctx)).toBeUndefined();
  });

  it('tells how to accept an unknown host', () => {
    expect(message('')).toBe('sshcc: host key: no known_hosts entry for [127.0.0.1]:2222 (run `ssh vol1` once to accept its key)');
  });

  it('refuses a changed key and shows both fingerprints', () => {
    expect(message(`# x\n[127.0.0.1]:2222 ssh-ed25519 ${B.toString('base64')}`)).toBe(
      `sshcc: host key: host key for [127.0.0.1]:2222 changed: refusing (it offers ssh-ed25519 ${keyFingerprint(A)}; /kh:2 has ${keyFingerprint(B)})`,
    );
  });

  it('refuses a revoked key', () => {
    expect(message(`@revoked * ssh-ed25519 ${A.toString('base64')}`)).toBe(
      `sshcc: host key: host key for [127.0.0.1]:2222 is revoked (/kh:1): refusing (it offers ssh-ed25519 ${keyFingerprint(A)})`,
    );
  });

  it('refuses host certificates clearly', () => {
    expect(message(`@cert-authority * ssh-ed25519 ${B.toString('base64')}`)).toBe(
      "sshcc: host key: host key for [127.0.0.1]:2222 is vouched for by @cert-authority (/kh:1): sshcc does not support host certificates (list the host's own key in known_hosts)",
    );
  });

  it('refuses a key of a type known_hosts does not hold for the host', () => {
    expect(message('[127.0.0.1]:2222 ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=')).toBe(
      `sshcc: host key: host key for [127.0.0.1]:2222 is ssh-ed25519, but known_hosts has only ecdsa-sha2-nistp256 for it: refusing (it offers ssh-ed25519 ${keyFingerprint(A)}; run \`ssh vol1\` to see whether the host changed)`,
    );
  });

  it('prints fingerprints as ssh-keygen -l does', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sshcc-fp-'));
    try {
      writeFileSync(path.join(dir, 'k.pub'), `ssh-ed25519 ${A.toString('base64')} test\n`);
      const printed = execFileSync('ssh-keygen', ['-lf', path.join(dir, 'k.pub')], { encoding: 'utf8' });
      expect(printed.split(' ')[1]).toBe(keyFingerprint(A));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
