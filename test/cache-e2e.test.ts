// The result caches end to end: make -j builds of examples/ through the C shim, the agent and a real sshd
// volunteer. What the volunteer's cache did is read from its own store (its counters and entries, under
// the private HOME testkit gives its sessions), never inferred from timing. The agent's own cache lives
// under the session's XDG_CACHE_HOME; it is cleared before each rebuild, so that rebuilds reach the
// volunteer, except in the tests about it.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultStore, type CacheStats } from '@sshcc/store';
import { stopAll } from '@sshcc/testkit';
import { copyExamples, SSHCC } from './support/build-project';
import { BuildSession } from './support/build-session';

const O = 'build';
const C_OBJECTS = ['strbuf', 'hashmap', 'tokenize', 'wc', 'main'].map((name) => `${name}.o`);
const ALL_OBJECTS = [...C_OBJECTS, ...['ngrams', 'split', 'format', 'ngrams_main'].map((name) => `${name}.o`)].sort();

let work: string;
let session: BuildSession;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sshcc-cache-e2e-'));
  // One volunteer: a rebuild must reach the store the first build filled.
  session = await BuildSession.start({ volunteers: 1, slots: 4 });
}, 60_000);

afterAll(async () => {
  await session?.stop();
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

function volunteerStore(): ResultStore {
  const volunteer = session.volunteers[0];
  if (!volunteer) throw new Error('no volunteer');
  return new ResultStore({ dir: join(volunteer.home, '.cache', 'sshcc', 'volunteer') });
}

/** The volunteer's counters since `before`. */
async function since(before: CacheStats): Promise<Pick<CacheStats, 'hits' | 'misses' | 'stores' | 'corrupt'>> {
  const now = await volunteerStore().stats();
  return { hits: now.hits - before.hits, misses: now.misses - before.misses, stores: now.stores - before.stores, corrupt: now.corrupt - before.corrupt };
}

function project(name: string): string {
  const dir = join(work, name);
  cpSync(copyExamples(work), dir, { recursive: true });
  rmSync(join(work, 'examples'), { recursive: true, force: true });
  return dir;
}

function sshccCli(args: string[], env: NodeJS.ProcessEnv = session.env): string {
  const run = spawnSync(SSHCC, args, { env, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout;
}

async function make(dir: string, cc = 'gcc', targets: string[] = [], options: { agentCache?: 'clear' | 'keep'; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  // A rebuild must reach the volunteer: unless a test is about the agent's cache, it starts empty each time.
  if (options.agentCache !== 'keep') expect(sshccCli(['cache', 'clear'])).toMatch(/^Removed \d+ entries/);
  const run = await session.run(['make', '-j8', `O=${O}`, `CC=${SSHCC} ${cc}`, `CXX=${SSHCC} g++`, ...targets], { cwd: dir, env: options.env ?? session.env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

function objects(dir: string): Map<string, Buffer> {
  const names = readdirSync(join(dir, O)).filter((name) => name.endsWith('.o')).sort();
  return new Map(names.map((name) => [name, readFileSync(join(dir, O, name))]));
}

function clean(dir: string): void {
  rmSync(join(dir, O), { recursive: true, force: true });
}

/** Every compile of `dir` in the job log ran on the volunteer. */
function expectAllRemote(dir: string): void {
  const mine = session.compileJobs().filter((job) => job.output.startsWith(join(dir, O)) || job.output.startsWith(`${O}/`));
  expect(mine.filter((job) => job.host === null)).toEqual([]);
}

test('a rebuild after make clean is answered entirely from the volunteer cache, objects byte for byte', async () => {
  const dir = project('rebuild');
  const start = await volunteerStore().stats();
  await make(dir);
  const first = objects(dir);
  expect([...first.keys()]).toEqual(ALL_OBJECTS);
  expect(await since(start)).toEqual({ hits: 0, misses: ALL_OBJECTS.length, stores: ALL_OBJECTS.length, corrupt: 0 });
  clean(dir);
  const middle = await volunteerStore().stats();
  await make(dir);
  expect(await since(middle)).toEqual({ hits: ALL_OBJECTS.length, misses: 0, stores: 0, corrupt: 0 });
  expect(objects(dir)).toEqual(first);
  expectAllRemote(dir);
  // The programs still link and run.
  const ran = spawnSync(join(dir, O, 'wordcount'), ['2'], { input: 'a b a\n', encoding: 'utf8' });
  expect(ran.status).toBe(0);
}, 180_000);

test('after a change to one source only that file is compiled again; the rest are hits', async () => {
  const dir = project('one-change');
  await make(dir);
  const first = objects(dir);
  clean(dir);
  appendFileSync(join(dir, 'src', 'wc.c'), '\nint sshcc_cache_e2e_changed = 1;\n');
  const before = await volunteerStore().stats();
  await make(dir);
  expect(await since(before)).toEqual({ hits: ALL_OBJECTS.length - 1, misses: 1, stores: 1, corrupt: 0 });
  const second = objects(dir);
  for (const name of ALL_OBJECTS) {
    if (name === 'wc.o') expect(second.get(name)).not.toEqual(first.get(name));
    else expect(second.get(name)).toEqual(first.get(name));
  }
}, 180_000);

test('a different compiler (another fingerprint) misses, then hits on its own rebuild', async () => {
  const dir = project('other-compiler');
  const target = [`${O}/wordcount`];
  await make(dir, 'gcc', target);
  clean(dir);
  const before = await volunteerStore().stats();
  await make(dir, 'clang', target);
  expect(await since(before)).toEqual({ hits: 0, misses: C_OBJECTS.length, stores: C_OBJECTS.length, corrupt: 0 });
  const clang = objects(dir);
  clean(dir);
  const again = await volunteerStore().stats();
  await make(dir, 'clang', target);
  expect(await since(again)).toEqual({ hits: C_OBJECTS.length, misses: 0, stores: 0, corrupt: 0 });
  expect(objects(dir)).toEqual(clang);
}, 180_000);

test('two concurrent builds fill the same cache; both rebuild from it, nothing corrupt', async () => {
  const dirs = [project('twin-a'), project('twin-b')];
  const before = await volunteerStore().stats();
  const entriesBefore = before.entries;
  await Promise.all(dirs.map((dir) => make(dir)));
  const firsts = dirs.map(objects);
  // With -g the cwd is in every object (DW_AT_comp_dir), so the two copies have keys of their own.
  expect(await since(before)).toEqual({ hits: 0, misses: 2 * ALL_OBJECTS.length, stores: 2 * ALL_OBJECTS.length, corrupt: 0 });
  expect((await volunteerStore().stats()).entries).toBe(entriesBefore + 2 * ALL_OBJECTS.length);
  dirs.forEach(clean);
  const middle = await volunteerStore().stats();
  await Promise.all(dirs.map((dir) => make(dir)));
  expect(await since(middle)).toEqual({ hits: 2 * ALL_OBJECTS.length, misses: 0, stores: 0, corrupt: 0 });
  dirs.forEach((dir, i) => expect(objects(dir)).toEqual(firsts[i]));
  expect(readdirSync(volunteerStore().dir).filter((name) => name.startsWith('.tmp'))).toEqual([]);
}, 240_000);

test('a truncated entry is detected, dropped and compiled again, with the same object', async () => {
  const dir = project('corrupt');
  const target = [`${O}/wordcount`];
  const before = await volunteerStore().stats();
  const keysBefore = new Set(entryPaths());
  await make(dir, 'gcc', target);
  const first = objects(dir);
  const added = entryPaths().filter((path) => !keysBefore.has(path));
  expect(added).toHaveLength(C_OBJECTS.length);
  const [victim, flipped] = added as [string, string];
  writeFileSync(victim, readFileSync(victim).subarray(0, 200));
  const bytes = readFileSync(flipped);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
  writeFileSync(flipped, bytes);
  clean(dir);
  const middle = await volunteerStore().stats();
  await make(dir, 'gcc', target);
  expect(await since(middle)).toEqual({ hits: C_OBJECTS.length - 2, misses: 2, stores: 2, corrupt: 2 });
  expect(objects(dir)).toEqual(first);
  expect((await since(before)).corrupt).toBe(2);
}, 180_000);

test("a rebuild after make clean is answered from the agent's own cache: no network, objects byte for byte", async () => {
  const dir = project('agent-cache');
  await make(dir);
  const first = objects(dir);
  clean(dir);
  const before = await volunteerStore().stats();
  const logged = session.compileJobs().length;
  const agentHitsBefore = agentHits();
  await make(dir, 'gcc', [], { agentCache: 'keep' });
  // Not one lookup reached the volunteer.
  expect(await since(before)).toEqual({ hits: 0, misses: 0, stores: 0, corrupt: 0 });
  expect(objects(dir)).toEqual(first);
  const rebuilt = session.compileJobs().slice(logged);
  expect(rebuilt).toHaveLength(ALL_OBJECTS.length);
  expect(rebuilt.map((job) => job.cached)).toEqual(ALL_OBJECTS.map(() => true));
  expect(agentHits() - agentHitsBefore).toBe(ALL_OBJECTS.length);
  const ran = spawnSync(join(dir, O, 'wordcount'), ['2'], { input: 'a b a\n', encoding: 'utf8' });
  expect(ran.status).toBe(0);
}, 180_000);

test("a file that uses __TIME__ is compiled on every build, by neither cache answered (a hit would give the first build's time); the rest are hits", async () => {
  const dir = project('build-time');
  appendFileSync(join(dir, 'src', 'wc.c'), 'const char *wc_built_at = __TIME__;\n');
  await make(dir);
  clean(dir);
  const before = await volunteerStore().stats();
  const logged = session.compileJobs().length;
  await make(dir, 'gcc', [], { agentCache: 'keep' });
  const rebuilt = session.compileJobs().slice(logged);
  expect(rebuilt).toHaveLength(ALL_OBJECTS.length);
  const byObject = new Map(rebuilt.map((job) => [job.output.slice(job.output.lastIndexOf('/') + 1), job]));
  // Compiled on the volunteer, which was not even asked: the agent sent no key.
  expect(byObject.get('wc.o')).toMatchObject({ host: expect.any(String) });
  expect(byObject.get('wc.o')?.cached).toBeUndefined();
  expect(await since(before)).toEqual({ hits: 0, misses: 0, stores: 0, corrupt: 0 });
  expect([...byObject].filter(([name, job]) => name !== 'wc.o' && !job.cached).map(([name]) => name)).toEqual([]);
}, 180_000);

test('SSHCC_CACHE=0 in the build turns off both caches: every compile runs on the volunteer, no lookups', async () => {
  const dir = project('no-cache');
  await make(dir);
  clean(dir);
  const before = await volunteerStore().stats();
  const logged = session.compileJobs().length;
  await make(dir, 'gcc', [], { agentCache: 'keep', env: { ...session.env, SSHCC_CACHE: '0' } });
  expect(await since(before)).toEqual({ hits: 0, misses: 0, stores: 0, corrupt: 0 });
  const rebuilt = session.compileJobs().slice(logged);
  expect(rebuilt).toHaveLength(ALL_OBJECTS.length);
  expect(rebuilt.filter((job) => job.host === null)).toEqual([]);
}, 180_000);

test('an agent that a build with SSHCC_CACHE=0 started still answers the builds that have the cache on', async () => {
  expect(spawnSync(SSHCC, ['agent', 'stop'], { env: session.env, encoding: 'utf8' }).status).toBe(0);
  await session.startAgent({ ...session.env, SSHCC_CACHE: '0' });
  const dir = project('started-off');
  const target = [`${O}/wordcount`];
  await make(dir, 'gcc', target);
  clean(dir);
  const logged = session.compileJobs().length;
  await make(dir, 'gcc', target, { agentCache: 'keep' });
  expect(session.compileJobs().slice(logged).map((job) => job.cached)).toEqual(C_OBJECTS.map(() => true));
}, 180_000);

/** `sshcc stats`' count of compiles the agent answered from its cache. */
function agentHits(): number {
  const row = /^\s*agent hits\s+(\d+)$/m.exec(sshccCli(['stats']));
  return row ? Number(row[1]) : 0;
}

/** Every entry file in the volunteer's store. */
function entryPaths(): string[] {
  const dir = volunteerStore().dir;
  return readdirSync(dir)
    .filter((name) => /^[0-9a-f]{2}$/.test(name))
    .flatMap((folder) => readdirSync(join(dir, folder)).filter((name) => /^[0-9a-f]{64}$/.test(name)).map((name) => join(dir, folder, name)));
}
