import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packIdOf, PackManifestSchema } from '@sshcc/protocol';
import { agentPacksDir, readCachedManifest } from './cached-manifest';

const MANIFEST = PackManifestSchema.parse({
  format: 1,
  fingerprint: { version: '(Debian 12.2.0-14) 12.2.0', target: 'x86_64-linux-gnu', driver: 'a'.repeat(64), cc1: 'b'.repeat(64), cc1plus: null },
  arch: 'x64',
  loader: 'lib/ld.so',
  driver: 'bin/gcc',
  programs: 'libexec',
  libraries: 'lib',
  files: [
    { path: 'bin/gcc', sha256: 'c'.repeat(64), size: 10, executable: true },
    { path: 'lib/ld.so', sha256: 'd'.repeat(64), size: 10, executable: true },
  ],
});
const ID = packIdOf(MANIFEST);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-cached-manifest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the agent keeps its packs under the XDG cache', () => {
  expect(agentPacksDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/me' })).toBe('/x/cache/sshcc/packs');
});

test('reads the manifest a pack id names', async () => {
  writeFileSync(join(dir, `${ID}.json`), JSON.stringify(MANIFEST));
  expect(await readCachedManifest(dir, ID)).toEqual(MANIFEST);
});

test.each([
  ['absent', null],
  ['not JSON', '{"format": 1,'],
  ['not a manifest', '{"format": 1}'],
  // A manifest under another pack's name must not be taken for that pack.
  ['another pack\'s manifest', JSON.stringify({ ...MANIFEST, arch: 'arm64' })],
])('a file that is %s gives null', async (_what, text) => {
  if (text !== null) writeFileSync(join(dir, `${ID}.json`), text);
  expect(await readCachedManifest(dir, ID)).toBeNull();
});
