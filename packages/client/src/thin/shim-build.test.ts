// The C shim's build (packages/client/build/compile-shim.js): held to -Wall -Wextra -Wconversion -Werror
// under gcc and clang, and still built, with the build's old flags, by a cc that fails with those.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ShimBuild {
  readonly ok: boolean;
  readonly strict?: boolean;
  readonly why?: string;
}
const { compileShim } = require('../../build/compile-shim.js') as {
  compileShim(options: { outFile: string; nodePath: string; distDir: string; subcommands: string[]; cc: string }): ShimBuild;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-shim-build-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function build(cc: string): ShimBuild {
  return compileShim({ outFile: join(dir, 'sshcc'), nodePath: process.execPath, distDir: dir, subcommands: ['agent', 'hosts'], cc });
}

/** An sh script standing in for cc. */
function fakeCc(body: string): string {
  const file = join(dir, 'fake-cc');
  writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

const installed = ['gcc', 'clang'].filter((cc) => spawnSync(cc, ['--version']).status === 0);

test.each(installed)('%s compiles the shim without a warning under -Wall -Wextra -Wconversion -Werror', (cc) => {
  expect(build(cc)).toEqual({ ok: true, strict: true });
  expect(statSync(join(dir, 'sshcc')).mode & 0o111).toBe(0o111);
});

test('a cc that fails with the strict flags (a warning of a newer compiler, say) builds it with the old ones, and says why', () => {
  const cc = fakeCc('case " $* " in *" -Werror "*) echo "main.c:1:1: error: something new [-Werror=new]" >&2; exit 1 ;; esac\nexec gcc "$@"');
  expect(build(cc)).toEqual({ ok: true, strict: false, why: `${cc}: main.c:1:1: error: something new [-Werror=new]` });
  expect(existsSync(join(dir, 'sshcc'))).toBe(true);
});

test('a cc that cannot build it at all, or none: no shim, no temp file (the caller writes the launcher)', () => {
  expect(build(fakeCc('echo "cc: error: unknown option" >&2; exit 1'))).toEqual({ ok: false, why: expect.stringContaining('error: unknown option') });
  expect(build(join(dir, 'no-such-cc'))).toEqual({ ok: false, why: `${join(dir, 'no-such-cc')}: ENOENT` });
  expect(readdirSync(dir)).toEqual(['fake-cc']);
});
