// A job's source goes into the compiler's stdin as it arrives (gcc's preprocessed input, clang's rewritten one): the compile runs while the
// upload does. Proved by the compiler running while the source has not ended, not by timing.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '@sshcc/protocol';
import { gccJobSpec } from './test-job-spec';
import { cleanUp, connect, processesIn, slowSource, startServer, testRoot, waitUntil } from './test-server';

afterEach(cleanUp);

function gccJob(root: string, args: string[]): Promise<JobSpec> {
  return gccJobSpec(root, { args, lang: 'cpp-output', input: 'big.i', output: 'big.o', env: { LC_ALL: 'C' }, timeLimitSeconds: 300 });
}

const SLOW_C = slowSource(3000);
// Past the protocol's 256 KiB data chunk, so the first part is sent on its own.
const SPLIT = 300 * 1024;

describe('sshcc-server streams gcc input', () => {
  it('runs the compiler before the source has ended, and compiles the same object as from a file', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    // As the agent sends it: directives-only output, whose line markers name big.c.
    writeFileSync(join(root, 'big.c'), SLOW_C);
    const BIG = spawnSync('gcc', ['-E', '-fdirectives-only', 'big.c'], { cwd: root, maxBuffer: 64 << 20 }).stdout;
    let compilerSeenBeforeEnd = false;
    async function* arriving() {
      yield BIG.subarray(0, SPLIT);
      compilerSeenBeforeEnd = await waitUntil(() => processesIn(server.tmp).length > 0, 20_000);
      yield BIG.subarray(SPLIT);
    }
    const result = await session.runJob(await gccJob(root, ['-c', '-O1', '-g', '-fdirectives-only']), arriving());
    expect(compilerSeenBeforeEnd).toBe(true);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    writeFileSync(join(root, 'big.i'), BIG);
    const local = spawnSync('gcc', ['-c', '-O1', '-g', '-fdirectives-only', '-x', 'cpp-output', 'big.i', '-o', 'local.o'], { cwd: root });
    expect(local.status).toBe(0);
    expect(result.outputs.get('big.o')?.equals(readFileSync(join(root, 'local.o')))).toBe(true);
  }, 120_000);

  it("streams clang's rewritten source too: the compile runs before the source has ended, and its -g object is the file's", async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    // As the agent sends clang's: -frewrite-includes output, compiled as C, under the input name big.rw.c.
    writeFileSync(join(root, 'big.c'), SLOW_C);
    const REWRITTEN = spawnSync('clang', ['-E', '-frewrite-includes', 'big.c'], { cwd: root, maxBuffer: 64 << 20 }).stdout;
    let compilerSeenBeforeEnd = false;
    async function* arriving() {
      yield REWRITTEN.subarray(0, SPLIT);
      compilerSeenBeforeEnd = await waitUntil(() => processesIn(server.tmp).length > 0, 20_000);
      yield REWRITTEN.subarray(SPLIT);
    }
    const spec = await gccJobSpec(root, { compiler: 'clang', args: ['-c', '-O1', '-g'], lang: 'c', input: 'big.rw.c', output: 'big.o', env: { LC_ALL: 'C' }, timeLimitSeconds: 300 });
    const result = await session.runJob(spec, arriving());
    expect(compilerSeenBeforeEnd).toBe(true);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    writeFileSync(join(root, 'big.rw.c'), REWRITTEN);
    const local = spawnSync('clang', ['-c', '-O1', '-g', '-x', 'c', 'big.rw.c', '-o', 'local.o'], { cwd: root });
    expect(local.status).toBe(0);
    expect(result.outputs.get('big.o')?.equals(readFileSync(join(root, 'local.o')))).toBe(true);
  }, 120_000);

  it('answers a compiler that exits before reading its input, drops the rest of the source, and serves the next job', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const big = Buffer.from(SLOW_C);
    async function* plenty() {
      for (let i = 0; i < 16; i++) yield big;
    }
    const failed = await session.runJob(await gccJob(root, ['-c', '-std=no-such-standard']), plenty());
    expect(failed).toMatchObject({ kind: 'compiled', exitCode: 1 });
    expect(failed.stderr.toString()).toContain('no-such-standard');
    const next = await session.runJob(await gccJob(root, ['-c']), Buffer.from('int tiny;\n'));
    expect(next).toMatchObject({ kind: 'compiled', exitCode: 0 });
    expect(await waitUntil(() => processesIn(server.tmp).length === 0)).toBe(true);
  }, 120_000);
});
