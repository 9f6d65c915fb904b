import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noSpaceLeft } from './no-space-left';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sshcc-space-test-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The full-disk case itself (a 64 KiB tmpfs) runs through sshd in test/reliability-faults-crashes.test.ts.
test("the compiler's ENOSPC text blames the disk even where the file system has room again", async () => {
  const stderr = Buffer.from("Assembler messages:\nFatal error: can't write 262144 bytes to section .data of big.o: 'No space left on device'\n");
  expect(await noSpaceLeft(dir, stderr)).toMatch(/^no space left in this server's TMPDIR \(\d+ bytes free\)$/);
});

test('an ordinary compile error on a disk with room is the source\'s', async () => {
  expect(await noSpaceLeft(dir, Buffer.from("big.c:1:1: error: expected ';' before '}' token\n"))).toBeNull();
});
