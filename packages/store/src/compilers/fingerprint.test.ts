import { chmodSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCompiler, fingerprintDifference, resolveCompiler } from '@sshcc/store';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-fingerprint-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in compiler driver: a shell script answering the fingerprint's questions. */
function fakeCompiler(name: string, version: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\ncase "$1" in\n  --version) echo "${name} (Fake) ${version}"; echo "Copyright";;\n  -dumpmachine) echo fake-linux-gnu;;\n  -print-prog-name=*) echo "\${1#-print-prog-name=}";;\nesac\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('fingerprintCompiler', () => {
  it('identifies the real gcc by version, target and the hashes of gcc, cc1 and cc1plus', async () => {
    const f = await fingerprintCompiler('gcc');
    expect(f.version).toMatch(/^\(.*\) \d+\.\d+/);
    expect(f.target).toMatch(/-linux-gnu$/);
    expect(f.driver).toMatch(/^[0-9a-f]{64}$/);
    expect(f.cc1).toMatch(/^[0-9a-f]{64}$/);
    expect(f.cc1plus).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives gcc-12 and gcc the same fingerprint when they are the same file', async () => {
    const viaLink = await fingerprintCompiler('gcc');
    const versioned = resolveCompiler('gcc-12', process.env.PATH);
    if (versioned === null) throw new Error('this machine has no gcc-12 to compare with');
    expect(await fingerprintCompiler(versioned)).toEqual(viaLink);
  });

  it('hashes only the driver for a compiler without cc1 (as clang)', async () => {
    const f = await fingerprintCompiler(fakeCompiler('fakecc', '1.0'));
    expect(f).toMatchObject({ version: '(Fake) 1.0', target: 'fake-linux-gnu', cc1: null, cc1plus: null });
  });

  it('caches per path and notices a changed driver by its mtime', async () => {
    const path = fakeCompiler('fakecc2', '1.0');
    const first = await fingerprintCompiler(path);
    expect(await fingerprintCompiler(path)).toBe(first);
    fakeCompiler('fakecc2', '2.0');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const second = await fingerprintCompiler(path);
    expect(second.version).toBe('(Fake) 2.0');
    expect(second.driver).not.toBe(first.driver);
  });

  it('notices a link retargeted to another driver, even of the same size and mtime', async () => {
    const one = fakeCompiler('fakecc-1', '1.0');
    const two = fakeCompiler('fakecc-2', '2.0');
    const sameTime = new Date();
    for (const driver of [one, two]) utimesSync(driver, sameTime, sameTime);
    const link = join(dir, 'fakecc-link');
    symlinkSync(one, link);
    expect((await fingerprintCompiler(link)).version).toMatch(/ 1\.0$/);
    rmSync(link);
    symlinkSync(two, link);
    expect((await fingerprintCompiler(link)).version).toMatch(/ 2\.0$/);
  });

  it('reports a compiler that is not on PATH', async () => {
    await expect(fingerprintCompiler('gcc-99', { env: { PATH: dir } })).rejects.toThrow('gcc-99 not found on PATH');
  });
});

describe('resolveCompiler', () => {
  it('skips an sshcc masquerade link and takes the next one on PATH', () => {
    const masquerade = mkdtempSync(join(dir, 'masq-'));
    writeFileSync(join(masquerade, 'sshcc'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync(join(masquerade, 'sshcc'), join(masquerade, 'gcc'));
    const real = resolveCompiler('gcc', process.env.PATH);
    expect(resolveCompiler('gcc', `${masquerade}:${process.env.PATH}`)).toBe(real);
  });

  it('ignores relative PATH entries', () => {
    expect(resolveCompiler('gcc', '.:bin')).toBeNull();
  });
});

describe('fingerprintDifference', () => {
  const base = { version: '(Debian 12.2.0) 12.2.0', target: 'x86_64-linux-gnu', driver: 'a'.repeat(64), cc1: 'b'.repeat(64), cc1plus: null };
  it('is null for equal fingerprints and names the first difference otherwise', () => {
    expect(fingerprintDifference(base, { ...base })).toBeNull();
    expect(fingerprintDifference(base, { ...base, version: '(GCC) 13.1.0' })).toBe(
      'version "(Debian 12.2.0) 12.2.0" on the client, "(GCC) 13.1.0" here',
    );
    expect(fingerprintDifference(base, { ...base, cc1: 'c'.repeat(64) })).toBe(
      'cc1 binary differs (sha256 bbbbbbbbbbbb on the client, cccccccccccc here)',
    );
  });
});
