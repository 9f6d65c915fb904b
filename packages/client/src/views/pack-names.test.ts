import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packIdOf, PackManifestSchema } from '@sshcc/protocol';
import { packCompilers, packLabel } from './pack-names';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-pack-names-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('names the packs this machine built by driver and version, and leaves others out', async () => {
  const manifest = PackManifestSchema.parse({
    format: 1,
    fingerprint: { version: '(Debian 12.2.0-14) 12.2.0', target: 'aarch64-linux-gnu', driver: 'a'.repeat(64), cc1: 'b'.repeat(64), cc1plus: null },
    arch: 'x64',
    loader: 'lib/ld.so',
    driver: 'bin/aarch64-linux-gnu-gcc',
    programs: 'libexec',
    libraries: 'lib',
    files: [
      { path: 'bin/aarch64-linux-gnu-gcc', sha256: 'c'.repeat(64), size: 1, executable: true },
      { path: 'lib/ld.so', sha256: 'd'.repeat(64), size: 1, executable: true },
    ],
  });
  const built = packIdOf(manifest);
  const elsewhere = 'e'.repeat(64);
  writeFileSync(join(dir, `${built}.json`), JSON.stringify(manifest));
  const compilers = await packCompilers([built, elsewhere, built], dir);
  expect([...compilers]).toEqual([[built, 'aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0']]);
  expect(packLabel(built, compilers.get(built))).toBe(`${built.slice(0, 12)} aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0`);
  expect(packLabel(elsewhere, compilers.get(elsewhere))).toBe("eeeeeeeeeeee (not in this machine's pack cache)");
});
