import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCompiler } from '@sshcc/store';
import { installStandIn, stopAll, STAND_IN_NAME } from '@sshcc/testkit';

afterAll(() => stopAll());

const work = mkdtempSync(join(tmpdir(), 'standin-test-'));

function compile(path: string, args: string[], stdin?: string): { code: number | null; out: string; err: string } {
  const run = spawnSync(path, args, { cwd: work, input: stdin ?? '', encoding: 'utf8' });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('the stand-in compiler', () => {
  it('answers what a fingerprint asks, equally for two copies with different times', async () => {
    const [a, b] = await Promise.all([installStandIn({ ms: 0 }), installStandIn({ ms: 5000 })]);
    expect(a.name).toBe(STAND_IN_NAME);
    expect(execFileSync(a.path, ['--version'], { encoding: 'utf8' }).split('\n')[0]).toBe('standin-gcc (sshcc stand-in) 12.2.0');
    const [fa, fb] = await Promise.all([fingerprintCompiler(a.path), fingerprintCompiler(b.path)]);
    expect(fa).toEqual(fb);
    expect(fa).toMatchObject({ version: '(sshcc stand-in) 12.2.0', target: 'x86_64-linux-gnu', cc1: null, cc1plus: null });
  });

  it('writes the same object from stdin as from the file, and another for other bytes', async () => {
    const standIn = await installStandIn();
    writeFileSync(join(work, 'x.i'), 'int x;\n');
    writeFileSync(join(work, 'y.i'), 'int y;\n');
    expect(compile(standIn.path, ['-c', '-x', 'cpp-output', '-', '-o', 'stdin.o'], 'int x;\n').code).toBe(0);
    expect(compile(standIn.path, ['-c', 'x.i', '-o', 'x.o']).code).toBe(0);
    expect(compile(standIn.path, ['-c', 'y.i', '-o', 'y.o']).code).toBe(0);
    const x = readFileSync(join(work, 'x.o'), 'utf8');
    expect(readFileSync(join(work, 'stdin.o'), 'utf8')).toBe(x);
    expect(x).toMatch(/^sshcc stand-in object\nfnv1a64 [0-9a-f]{16}\nbytes 7\n$/);
    expect(readFileSync(join(work, 'y.o'), 'utf8')).not.toBe(x);
  });

  it('copies a source through for -E behind one line marker', async () => {
    const standIn = await installStandIn();
    writeFileSync(join(work, 'p.c'), 'int p(void) { return 1; }\n');
    expect(compile(standIn.path, ['-E', '-fdirectives-only', 'p.c'])).toEqual({ code: 0, out: '# 1 "p.c"\nint p(void) { return 1; }\n', err: '' });
  });

  it('sleeps the time its source names, else its folder\'s, and fails on a missing input', async () => {
    const standIn = await installStandIn({ ms: 60_000 });
    // A minute in the folder's file: were the source's 0 not taken, the test's 30 s would run out.
    expect(compile(standIn.path, ['-c', '-', '-o', 'fast.o'], '/* sshcc-standin-ms=0 */\n').code).toBe(0);
    const missing = compile(standIn.path, ['-c', 'absent.i', '-o', 'absent.o']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('standin: cannot open absent.i: No such file or directory\n');
    expect(readFileSync(join(standIn.dir, 'standin-errors.log'), 'utf8')).toBe(`standin: cannot open absent.i: No such file or directory (in ${work})\n`);
  });
});
