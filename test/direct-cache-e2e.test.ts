// The agent cache's direct mode end to end: the C shim, the agent and a real sshd volunteer. A direct hit
// is told by the job log line and proven by the agent's own counters: its preprocessing count does not
// move (no preprocess frame reached the shim, no cpp slot was taken) while its direct hits do.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from '@sshcc/testkit';
import { SSHCC } from './support/build-project';
import { BuildSession } from './support/build-session';
import type { JobLine } from './support/job-log';

/** Past the direct cache's settle margin for any file system (whole-second ones included). */
const SETTLED_MS = 2_100;
const FLAGS = ['-c', 'a.c', '-o', 'a.o', '-O2', '-Iinc1', '-Iinc2'];

let work: string;
let session: BuildSession;
const projects = new Map<string, string>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sshcc-direct-e2e-'));
  for (const name of ['hit', 'clang', 'touched', 'changed', 'removed', 'define', 'date', 'deps']) projects.set(name, project(name));
  session = await BuildSession.start({ volunteers: 1, slots: 2 });
  // Files written just before a compile are not recorded as what its cpp read (it may have read others).
  await new Promise((resolve) => setTimeout(resolve, SETTLED_MS));
}, 60_000);

afterAll(async () => {
  await session?.stop();
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** a.c includes common.h, h.h (found in inc1, and in inc2 behind it) and stdio.h. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'inc1'), { recursive: true });
  mkdirSync(join(dir, 'inc2'));
  writeFileSync(join(dir, 'a.c'), '#include <stdio.h>\n#include "common.h"\n#include "h.h"\nint value(void) { return VALUE + COMMON; }\nint say(void) { return puts("hi"); }\n');
  writeFileSync(join(dir, 'common.h'), '#define COMMON 10\n');
  writeFileSync(join(dir, 'inc1', 'h.h'), '#define VALUE 1\n');
  writeFileSync(join(dir, 'inc2', 'h.h'), '#define VALUE 2\n');
  return dir;
}

interface Compiled {
  readonly job: JobLine;
  readonly object: Buffer;
  /** The agent's counters before and after: preprocessor runs, direct hits. */
  readonly preprocessed: number;
  readonly directHits: number;
}

function counters(): { preprocessed: number; directHits: number } {
  const run = spawnSync(SSHCC, ['stats', '--json'], { env: session.env, encoding: 'utf8' });
  expect(run.status).toBe(0);
  const stats = JSON.parse(run.stdout) as { time: { preprocessed: number }; cache: { directHits: number } };
  return { preprocessed: stats.time.preprocessed, directHits: stats.cache.directHits };
}

/** One compile through sshcc in project `name`; what the log and the counters say of it, and the object. */
async function compile(name: string, flags: string[] = FLAGS, env: NodeJS.ProcessEnv = session.env, cc = 'gcc'): Promise<Compiled> {
  const dir = projects.get(name) as string;
  rmSync(join(dir, 'a.o'), { force: true });
  const before = counters();
  const logged = session.jobs().length;
  const run = await session.run([SSHCC, cc, ...flags], { cwd: dir, env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const jobs = session.jobs().slice(logged);
  expect(jobs).toHaveLength(1);
  const after = counters();
  return { job: jobs[0] as JobLine, object: readFileSync(join(dir, 'a.o')), preprocessed: after.preprocessed - before.preprocessed, directHits: after.directHits - before.directHits };
}

/** The object gcc itself makes of the project as it is now. */
function localObject(name: string, flags: string[] = FLAGS, cc = 'gcc'): Buffer {
  const dir = projects.get(name) as string;
  const run = spawnSync(cc, [...flags.filter((flag) => flag !== 'a.o' && flag !== '-o'), '-o', 'local.o'], { cwd: dir, encoding: 'utf8' });
  expect(run.status).toBe(0);
  return readFileSync(join(dir, 'local.o'));
}

const isDirect = (c: Compiled) => c.job.direct === true;

test('a second identical compile is a direct hit: no cpp run, the object byte for byte', async () => {
  const first = await compile('hit');
  expect(first.job.host).toBe(session.hostOf(0));
  expect(first.preprocessed).toBe(1);
  const second = await compile('hit');
  expect(second.job).toMatchObject({ cached: true, direct: true });
  expect(second.preprocessed).toBe(0);
  expect(second.directHits).toBe(1);
  expect(second.object.equals(first.object)).toBe(true);
  expect(second.object.equals(localObject('hit'))).toBe(true);
  // The build can turn direct mode off: the same compile is then a hit after its cpp run.
  const third = await compile('hit', FLAGS, { ...session.env, SSHCC_DIRECT: '0' });
  expect(third.job).toMatchObject({ cached: true });
  expect(isDirect(third)).toBe(false);
  expect(third.preprocessed).toBe(1);
  expect(third.object.equals(first.object)).toBe(true);
}, 60_000);

test('clang (-frewrite-includes markers): the second compile is a direct hit too, the object byte for byte', async () => {
  const first = await compile('clang', FLAGS, session.env, 'clang');
  expect(first.job.host).toBe(session.hostOf(0));
  const second = await compile('clang', FLAGS, session.env, 'clang');
  expect(second.job).toMatchObject({ cached: true, direct: true });
  expect(second.preprocessed).toBe(0);
  expect(second.object.equals(localObject('clang', FLAGS, 'clang'))).toBe(true);
}, 60_000);

test('a header touched without a change (mtime only) is hashed again and still hits', async () => {
  const first = await compile('touched');
  utimesSync(join(projects.get('touched') as string, 'common.h'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  const second = await compile('touched');
  expect(isDirect(second)).toBe(true);
  expect(second.preprocessed).toBe(0);
  expect(second.object.equals(first.object)).toBe(true);
}, 60_000);

test('a header whose content changed misses, runs cpp and compiles again', async () => {
  const first = await compile('changed');
  writeFileSync(join(projects.get('changed') as string, 'inc1', 'h.h'), '#define VALUE 5\n');
  const second = await compile('changed');
  expect(second.job.cached).toBeUndefined();
  expect(second.job.host).toBe(session.hostOf(0));
  expect(second.preprocessed).toBe(1);
  expect(second.object.equals(first.object)).toBe(false);
  expect(second.object.equals(localObject('changed'))).toBe(true);
}, 60_000);

test('a removed header misses: cpp finds the next one on the include path', async () => {
  const first = await compile('removed');
  rmSync(join(projects.get('removed') as string, 'inc1', 'h.h'));
  const second = await compile('removed');
  expect(isDirect(second)).toBe(false);
  expect(second.preprocessed).toBe(1);
  expect(second.object.equals(first.object)).toBe(false);
  expect(second.object.equals(localObject('removed'))).toBe(true);
}, 60_000);

test('a different -D misses', async () => {
  await compile('define');
  const flags = [...FLAGS, '-DCOMMON_EXTRA=1'];
  const second = await compile('define', flags);
  expect(isDirect(second)).toBe(false);
  expect(second.preprocessed).toBe(1);
  expect(second.object.equals(localObject('define', flags))).toBe(true);
}, 60_000);

test('a source that uses __DATE__ is never a direct hit', async () => {
  const dir = projects.get('date') as string;
  writeFileSync(join(dir, 'a.c'), `${readFileSync(join(dir, 'a.c'), 'utf8')}const char *built = __DATE__;\n`);
  utimesSync(join(dir, 'a.c'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  await new Promise((resolve) => setTimeout(resolve, SETTLED_MS));
  await compile('date');
  const second = await compile('date');
  expect(isDirect(second)).toBe(false);
  expect(second.preprocessed).toBe(1);
}, 60_000);

test('a compile that writes a dependency file (-MD -MP) is a direct hit too, and the hit writes the .d file cpp wrote', async () => {
  const flags = [...FLAGS, '-MD', '-MP'];
  const first = await compile('deps', flags);
  const depFile = join(projects.get('deps') as string, 'a.d');
  const written = readFileSync(depFile);
  expect(written.toString()).toMatch(/^a\.o: a\.c .*common\.h/s);
  rmSync(depFile);
  const second = await compile('deps', flags);
  expect(second.job).toMatchObject({ cached: true, direct: true });
  expect(second.preprocessed).toBe(0);
  expect(readFileSync(depFile).equals(written)).toBe(true);
  expect(second.object.equals(first.object)).toBe(true);
}, 60_000);
