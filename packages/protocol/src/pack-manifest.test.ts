import { isPackPath, packIdOf, PackManifestSchema } from './pack-manifest';
import { testPackManifest } from './test-job';

test.each([
  ['bin/gcc', true],
  ['lib/libstdc++.so.6', true],
  ['lib/ld-linux-x86-64.so.2', true],
  ['', false],
  ['/etc/passwd', false],
  ['../escape', false],
  ['lib/../../escape', false],
  ['lib//libc.so.6', false],
  ['./bin/gcc', false],
  ['lib/', false],
  ['bin/-rf', false],
  ['bin/a b', false],
  ['bin/a\nb', false],
  ['bin/$(reboot)', false],
  ['x'.repeat(201), false],
])('isPackPath(%j) is %s', (path, ok) => {
  expect(isPackPath(path)).toBe(ok);
});

const file = (path: string, executable = true) => ({ path, sha256: 'b'.repeat(64), size: 1, executable });
const manifest = testPackManifest([file('bin/cc'), file('lib/ld.so')]);

test.each([
  ['a path twice', { files: [file('bin/cc'), file('lib/ld.so'), file('bin/cc')] }, /listed twice/],
  ['a file that is also a directory', { files: [file('bin/cc'), file('lib/ld.so'), file('bin/cc/x')] }, /also a directory/],
  ['a driver that is not a file of the pack', { driver: 'bin/other' }, /driver bin\/other is not an executable file/],
  ['a loader that is not executable', { files: [file('bin/cc'), file('lib/ld.so', false)] }, /loader/],
  ['a hostile path', { files: [file('bin/cc'), file('lib/ld.so'), file('../../.ssh/authorized_keys')] }, /not a plain relative path/],
  ['a mode or owner field', { files: [{ ...file('bin/cc'), mode: 0o4755 }, file('lib/ld.so')] }, /Unrecognized key/],
  ['too many files', { files: [file('bin/cc'), file('lib/ld.so'), ...Array.from({ length: 300 }, (_, i) => file(`lib/f${i}`))] }, /Too big|<=256/],
])('a manifest with %s is refused', (_name, change, message) => {
  const parsed = PackManifestSchema.safeParse({ ...manifest, ...change });
  expect(parsed.success).toBe(false);
  expect(parsed.error?.issues.map((issue) => issue.message).join('; ')).toMatch(message);
});

test('the pack id does not depend on the order the files are listed in', () => {
  const a = PackManifestSchema.parse(manifest);
  const b = PackManifestSchema.parse({ ...manifest, files: [...manifest.files].reverse() });
  expect(packIdOf(a)).toBe(packIdOf(b));
  expect(packIdOf(PackManifestSchema.parse({ ...manifest, arch: 'arm64' }))).not.toBe(packIdOf(a));
});
