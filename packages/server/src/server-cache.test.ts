// The volunteer's result cache through the built sshcc-server: a repeated job is answered from the
// cache with the same bytes and without its source; a damaged entry is recompiled; the cache can be off.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey, type JobSpec } from '@sshcc/protocol';
import { ResultStore } from '@sshcc/store';
import { gccJobSpec } from './test-job-spec';
import { cleanUp, connect, slowSource, startServer, testRoot } from './test-server';

afterEach(cleanUp);

const SOURCE = Buffer.from('int answer(int x) { return x * 42; }\n#warning cached warnings too\n');

const job = (root: string, overrides: Partial<JobSpec> = {}): Promise<JobSpec> =>
  gccJobSpec(root, { input: 'answer.c', output: 'answer.o', env: { LANG: 'C' }, sourceBytes: SOURCE.length, ...overrides });

const storeOf = (root: string) => new ResultStore({ dir: join(root, 'cache', 'sshcc', 'volunteer') });

describe('sshcc-server result cache', () => {
  it('answers a repeated job from the cache: same object, same warning, no compile', async () => {
    const root = testRoot();
    const first = await connect(startServer(root));
    expect(first.hello.cache).toBe(true);
    const spec = await job(root);
    const compiled = await first.runJob(spec, SOURCE);
    expect(compiled).toMatchObject({ kind: 'compiled', exitCode: 0, cached: false });
    expect(compiled.stderr.toString()).toContain('warning: #warning cached warnings too');
    await first.close();
    // A new server process (another channel) finds it, under another object name too.
    const second = await connect(startServer(root));
    const hit = await second.runJob({ ...spec, output: 'renamed.o' }, SOURCE);
    expect(hit).toMatchObject({ kind: 'compiled', exitCode: 0, cached: true });
    expect(hit.timings.compileMs).toBe(0);
    expect(hit.stderr).toEqual(compiled.stderr);
    expect(hit.outputs.get('renamed.o')).toEqual(compiled.outputs.get('answer.o'));
    await second.close();
    expect(await storeOf(root).stats()).toMatchObject({ hits: 1, misses: 1, stores: 1, corrupt: 0, entries: 1 });
  });

  it('stores under the key it computes itself, not the one the client claims', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const spec = await job(root);
    const claimed = 'c'.repeat(64);
    await session.runJob(spec, SOURCE, { cacheKey: claimed });
    expect((await session.runJob(spec, SOURCE, { cacheKey: claimed })).cached).toBe(false);
    expect((await session.runJob(spec, SOURCE)).cached).toBe(true);
    await session.close();
    const dir = join(root, 'cache', 'sshcc', 'volunteer');
    const real = cacheKey(spec, SOURCE);
    expect(readdirSync(join(dir, real.slice(0, 2)))).toEqual([real]);
  });

  it('does not store a failed compile', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const broken = Buffer.from('int broken( {\n');
    const spec = await job(root, { sourceBytes: broken.length });
    expect((await session.runJob(spec, broken)).exitCode).not.toBe(0);
    expect((await session.runJob(spec, broken)).cached).toBe(false);
    await session.close();
    expect(await storeOf(root).stats()).toMatchObject({ stores: 0, entries: 0, misses: 2 });
  });

  it('a truncated entry is detected, dropped and recompiled, then stored again', async () => {
    const root = testRoot();
    const session = await connect(startServer(root));
    const spec = await job(root);
    const compiled = await session.runJob(spec, SOURCE);
    const key = cacheKey(spec, SOURCE);
    const file = join(root, 'cache', 'sshcc', 'volunteer', key.slice(0, 2), key);
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    const again = await session.runJob(spec, SOURCE);
    expect(again).toMatchObject({ kind: 'compiled', exitCode: 0, cached: false });
    expect(again.outputs.get('answer.o')).toEqual(compiled.outputs.get('answer.o'));
    const third = await session.runJob(spec, SOURCE);
    expect(third.cached).toBe(true);
    await session.close();
    expect(await storeOf(root).stats()).toMatchObject({ corrupt: 1, stores: 2, hits: 1 });
  });

  it.each([
    ['SSHCC_CACHE=0 in its environment', { SSHCC_CACHE: '0' }, null],
    ['cache.enabled false in its config', {}, '{"cache": {"enabled": false}}'],
  ])('with %s it offers no cache and stores nothing', async (_what, env, config) => {
    const root = testRoot();
    if (config) writeFileSync(join(root, 'config', 'sshcc', 'server.json'), config);
    const session = await connect(startServer(root, [], env));
    expect(session.hello.cache).toBe(false);
    const spec = await job(root);
    await session.runJob(spec, SOURCE);
    expect((await session.runJob(spec, SOURCE)).cached).toBe(false);
    await session.close();
    // No result store (the cache dir itself may hold the slots coordinator's name).
    expect(existsSync(storeOf(root).dir)).toBe(false);
  });

  describe('a source streamed while the client still produces it (cacheAtEnd)', () => {
    // Slow enough to compile that the lookup at the source's end always comes first.
    const STREAMED = Buffer.from(slowSource(300));

    async function* arriving(): AsyncGenerator<Buffer> {
      yield STREAMED.subarray(0, 1000);
      yield STREAMED.subarray(1000);
    }

    it.each<[string, Partial<JobSpec>]>([
      ['fed into the compiler as it arrives (gcc, preprocessed input)', { lang: 'cpp-output', input: 'answer.i' }],
      ['written to its file first (C input)', { lang: 'c', input: 'answer.c' }],
    ])('is looked up once it has ended, stored on a miss and answered from the cache next time: %s', async (_how, fields) => {
      const root = testRoot();
      const session = await connect(startServer(root));
      const spec = await job(root, { ...fields, sourceBytes: null });
      const compiled = await session.runJob(spec, arriving());
      expect(compiled).toMatchObject({ kind: 'compiled', exitCode: 0, cached: false });
      const hit = await session.runJob(spec, arriving());
      expect(hit).toMatchObject({ kind: 'compiled', exitCode: 0, cached: true });
      expect(hit.outputs.get('answer.o')).toEqual(compiled.outputs.get('answer.o'));
      // Under the key a whole-buffer job has: the stream's entry serves an unstreamed lookup too.
      expect((await session.runJob(spec, STREAMED)).cached).toBe(true);
      // The channel is in step after a hit that stopped a running compile.
      const other = await session.runJob({ ...spec, sourceBytes: SOURCE.length, lang: 'c', input: 'other.c' }, SOURCE);
      expect(other).toMatchObject({ kind: 'compiled', exitCode: 0 });
      await session.close();
      expect(await storeOf(root).stats()).toMatchObject({ hits: 2, misses: 2, stores: 2, corrupt: 0 });
    }, 60_000);

    it('compiles a source that names __TIME__ every time and stores nothing: a hit would give the first build\'s time', async () => {
      const root = testRoot();
      const session = await connect(startServer(root));
      const TIMED = Buffer.concat([STREAMED, Buffer.from('const char *built = __TIME__;\n')]);
      async function* timed(): AsyncGenerator<Buffer> {
        // The macro split across two chunks, as a stream may cut it.
        const at = TIMED.lastIndexOf('__TIME__') + 4;
        yield TIMED.subarray(0, at);
        yield TIMED.subarray(at);
      }
      const spec = await job(root, { lang: 'c', input: 'answer.c', sourceBytes: null });
      for (let i = 0; i < 2; i++) expect(await session.runJob(spec, timed())).toMatchObject({ kind: 'compiled', exitCode: 0, cached: false });
      await session.close();
      expect(await storeOf(root).stats()).toMatchObject({ hits: 0, stores: 0 });
    }, 60_000);

    it('asks for nothing and stores nothing when the client says no cache (cacheKey null)', async () => {
      const root = testRoot();
      const session = await connect(startServer(root));
      const spec = await job(root, { lang: 'cpp-output', input: 'answer.i', sourceBytes: null });
      await session.runJob(spec, arriving(), { cacheKey: null });
      expect((await session.runJob(spec, arriving(), { cacheKey: null })).cached).toBe(false);
      await session.close();
      expect(await storeOf(root).stats()).toMatchObject({ hits: 0, misses: 0, stores: 0 });
    }, 60_000);
  });
});
