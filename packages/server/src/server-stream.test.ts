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
  return gccJobSpec(root, { ...GCC.fields, args, output: 'big.o', env: { LC_ALL: 'C' }, timeLimitSeconds: 300 });
}

const SLOW_C = slowSource(3000);
// Past the protocol's 256 KiB data chunk, so the first part is sent on its own.
const SPLIT = 300 * 1024;

/** How the agent sends each compiler's source, and the job and local compile that must give the same object. */
interface Streamed {
  readonly compiler: 'gcc' | 'clang';
  /** The client's preprocessor run on big.c. */
  readonly preprocess: string[];
  readonly fields: Partial<JobSpec> & Pick<JobSpec, 'input'>;
  /** The compile here of the same source, as a file named like the job's input. */
  readonly local: string[];
}

const GCC: Streamed = {
  compiler: 'gcc',
  // Directives-only output, whose line markers name big.c.
  preprocess: ['-E', '-fdirectives-only', 'big.c'],
  fields: { args: ['-c', '-O1', '-g', '-fdirectives-only'], lang: 'cpp-output', input: 'big.i' },
  local: ['-c', '-O1', '-g', '-fdirectives-only', '-x', 'cpp-output', 'big.i', '-o', 'local.o'],
};

const CLANG: Streamed = {
  compiler: 'clang',
  // -frewrite-includes output, compiled as C: the server names it to cc1 (-main-file-name) as the file would.
  preprocess: ['-E', '-frewrite-includes', 'big.c'],
  // -O0: clang -O1 takes minutes over this source (gcc 26 s); a stream needs only that it still reads.
  fields: { compiler: 'clang', args: ['-c', '-O0', '-g'], lang: 'c', input: 'big.rw.c' },
  local: ['-c', '-O0', '-g', '-x', 'c', 'big.rw.c', '-o', 'local.o'],
};

describe('sshcc-server streams a source into the compiler', () => {
  it.each([GCC, CLANG])('$compiler: runs the compiler before the source has ended, and its -g object is the one from a file', async (how) => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    writeFileSync(join(root, 'big.c'), SLOW_C);
    const source = spawnSync(how.compiler, how.preprocess, { cwd: root, maxBuffer: 64 << 20 }).stdout;
    let compilerSeenBeforeEnd = false;
    async function* arriving() {
      yield source.subarray(0, SPLIT);
      compilerSeenBeforeEnd = await waitUntil(() => processesIn(server.tmp).length > 0, 20_000);
      yield source.subarray(SPLIT);
    }
    const spec = await gccJobSpec(root, { ...how.fields, output: 'big.o', env: { LC_ALL: 'C' }, timeLimitSeconds: 300 });
    const result = await session.runJob(spec, arriving());
    expect(compilerSeenBeforeEnd).toBe(true);
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    writeFileSync(join(root, how.fields.input), source);
    const local = spawnSync(how.compiler, how.local, { cwd: root });
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
