import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { checkHostKey, keyBlobType, knownKeyTypes } from './check-host-key';
import { formatHashedHost } from './hashed-host-name';
import { parseKnownHosts } from './parse-known-hosts';

function sshString(data: Buffer | string): Buffer {
  const body = Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

function ed25519Blob(): Buffer {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x!, 'base64url'))]);
}

// known_hosts checks compare blobs only, so an ECDSA-typed blob needs no real curve point.
function ecdsaBlob(): Buffer {
  return Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(randomBytes(65))]);
}

const A = ed25519Blob();
const B = ed25519Blob();
const E = ecdsaBlob();
const line = (hosts: string, blob: Buffer, marker = ''): string =>
  `${marker ? `${marker} ` : ''}${hosts} ${keyBlobType(blob)} ${blob.toString('base64')}`;

describe('parseKnownHosts', () => {
  it('reads markers, patterns, hashed names and line numbers; skips what it cannot read', () => {
    const text = [
      '# comment',
      '',
      line('vol1,vol2', A),
      '@revoked * ssh-ed25519 ' + B.toString('base64'),
      '@cert-authority *.lan ssh-ed25519 ' + A.toString('base64'),
      '@unknown vol1 ssh-ed25519 ' + A.toString('base64'),
      'vol1 ssh-ed25519',
      'vol1 ssh-ed25519 not*base64',
      '|1|bad|hash ssh-ed25519 ' + A.toString('base64'),
      line(formatHashedHost('vol3'), A) + ' a comment',
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(entries.map((entry) => [entry.line, entry.marker, entry.hosts.kind, entry.keyType])).toEqual([
      [3, undefined, 'patterns', 'ssh-ed25519'],
      [4, 'revoked', 'patterns', 'ssh-ed25519'],
      [5, 'cert-authority', 'patterns', 'ssh-ed25519'],
      [10, undefined, 'hashed', 'ssh-ed25519'],
    ]);
    expect(entries[0]!.key.equals(A)).toBe(true);
  });
});

describe('checkHostKey', () => {
  const cases: [string, string[], string, Buffer, string][] = [
    ['plain name', [line('vol1', A)], 'vol1', A, 'trusted'],
    ['plain name, other host', [line('vol1', A)], 'vol2', A, 'unknown'],
    ['names are case-insensitive', [line('Vol1', A)], 'VOL1', A, 'trusted'],
    ['comma list', [line('vol0,vol1,10.0.0.1', A)], 'vol1', A, 'trusted'],
    ['[host]:port for a non-22 port', [line('[127.0.0.1]:2222', A)], '[127.0.0.1]:2222', A, 'trusted'],
    ['plain entry does not cover another port', [line('127.0.0.1', A)], '[127.0.0.1]:2222', A, 'unknown'],
    ['port entry does not cover port 22', [line('[127.0.0.1]:2222', A)], '127.0.0.1', A, 'unknown'],
    ['hashed name', [line(formatHashedHost('[127.0.0.1]:2222'), A)], '[127.0.0.1]:2222', A, 'trusted'],
    ['hashed name of another host', [line(formatHashedHost('vol9'), A)], 'vol1', A, 'unknown'],
    ['wildcard', [line('*.lan', A)], 'vol1.lan', A, 'trusted'],
    ['question mark', [line('vol?', A)], 'vol1', A, 'trusted'],
    ['negated pattern excludes the host', [line('vol*,!vol1', A)], 'vol1', A, 'unknown'],
    ['negated pattern leaves the others', [line('vol*,!vol1', A)], 'vol2', A, 'trusted'],
    ['same type, other key', [line('vol1', B)], 'vol1', A, 'changed'],
    ['changed even if another line of a wider pattern has it', [line('vol1', B), line('vol2', A)], 'vol1', A, 'changed'],
    ['one of two keys for the host', [line('vol1', B), line('vol1', A)], 'vol1', A, 'trusted'],
    ['only another key type known', [line('vol1', E)], 'vol1', A, 'other-types'],
    ['revoked key, even when also listed', [line('vol1', A), line('*', A, '@revoked')], 'vol1', A, 'revoked'],
    ['revoked line for other hosts only', [line('vol1', A), line('vol2', A, '@revoked')], 'vol1', A, 'trusted'],
    ['a revoked other key changes nothing', [line('vol1', A), line('*', B, '@revoked')], 'vol1', A, 'trusted'],
    ['@cert-authority is not a plain key', [line('*.lan', A, '@cert-authority')], 'vol1.lan', A, 'cert-authority'],
    ['@cert-authority for other hosts', [line('*.lan', A, '@cert-authority')], 'vol1', A, 'unknown'],
    ['a plain key wins over a CA line', [line('*.lan', B, '@cert-authority'), line('vol1.lan', A)], 'vol1.lan', A, 'trusted'],
    ['empty file', [], 'vol1', A, 'unknown'],
  ];

  it.each(cases)('%s', (_name, lines, host, key, verdict) => {
    expect(checkHostKey(parseKnownHosts(lines.join('\n'), 'kh'), host, key).kind).toBe(verdict);
  });

  it('reports the known entries of a changed key', () => {
    const verdict = checkHostKey(parseKnownHosts(`${line('x', E)}\n${line('vol1', B)}`, 'kh'), 'vol1', A);
    expect(verdict).toMatchObject({ kind: 'changed', keyType: 'ssh-ed25519', known: [{ file: 'kh', line: 2 }] });
  });

  it('lists the key types known for a host, for the key exchange to ask for', () => {
    const entries = parseKnownHosts([line('vol1', E), line('vol*', A), line('vol1', B), line('*', B, '@revoked')].join('\n'), 'kh');
    expect(knownKeyTypes(entries, 'vol1')).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    expect(knownKeyTypes(entries, 'other')).toEqual([]);
  });
});
