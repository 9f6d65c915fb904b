// The agent streams a source that is still being preprocessed (issue 9): through a real sshd and a real
// sshcc-server, with the agent's compile service in this process so the preprocessor can be held
// mid-output. The stand-in client preprocessor runs the real cpp, hands the agent the first 300 KiB of its
// output, and gives the rest (or a failure) only when the test opens its gate. That shows the volunteer's
// compiler running before cpp has ended, and lets the test fail cpp, or the remote compile, mid-stream.

import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { JobResult } from '@sshcc/protocol';
import { jobLeftovers, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import type { CompileAnswer, CompileRequest, PreprocessInClient } from '../packages/client/src/wire/messages';
import { NO_JOB_EVENTS, type JobEvents } from '../packages/client/src/events';
import { CompileRouter, openAgentCache, type AgentCache } from '../packages/client/src/compile';
import { spawnCaptured } from '../packages/client/src/compile/spawn-captured';
import type { PoolEvent } from '../packages/client/src/pool';
import { compilersUnder, waitFor } from './support/build-processes';

/** Past the agent's streaming threshold (one 256 KiB data frame), and well short of the whole output. */
const HELD_AFTER_BYTES = 300 * 1024;
/** gcc's driver rejects this before it reads any input; the stand-in preprocessor leaves it out of its cpp run. */
const BAD_FLAG = '-fbogus-flag';
const WAIT_MS = 30_000;

let root: string;
let project: string;
let volunteerTmp: string;
let volunteer: Volunteer;
let router: CompileRouter;
let agentDir: string;
const poolEvents: PoolEvent[] = [];
const remoteAnswers: JobResult[] = [];
/** Compile slots the jobs asked for: a job answered from the agent's cache before it is queued asks none. */
let slotsAsked = 0;
/** What the last gated cpp run wrote in all. */
let cppOutputBytes = 0;

/** ~1 MiB of preprocessed source (declarations cost gcc little to compile) and one function to compile. */
function bigSource(tag: string): string {
  const lines = [`int ${tag}_entry(int x) { return x * 7; }`];
  for (let i = 0; i < 30_000; i++) lines.push(`extern int ${tag}_decl_${i}(int a, const char *b, long c);`);
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-stream-e2e-')));
  project = join(root, 'project');
  volunteerTmp = join(root, 'volunteer-tmp');
  agentDir = join(root, 'agent');
  for (const dir of [project, volunteerTmp, agentDir]) mkdirSync(dir, { recursive: true });
  // The server's own TMPDIR (where its job dirs go) and config dir, so this machine's settings change nothing.
  volunteer = await startVolunteer({ env: { TMPDIR: volunteerTmp, XDG_CONFIG_HOME: join(root, 'volunteer-config'), XDG_CACHE_HOME: join(root, 'volunteer-cache') } });
}, 60_000);

/** The agent's cache as the running "agent" opened it. */
let cache: AgentCache | null;

/** The agent's compile service, as a freshly started agent has it (its cache on disk is kept). */
function startRouter(): CompileRouter {
  const events: JobEvents = {
    ...NO_JOB_EVENTS,
    begin: (request) => ({
      ...NO_JOB_EVENTS.begin(request),
      remoteDone: (result) => remoteAnswers.push(result),
      compileSlot: (granted) => {
        slotsAsked++;
        return granted;
      },
    }),
    pool: (event) => poolEvents.push(event),
  };
  cache = openAgentCache({ XDG_CACHE_HOME: join(root, 'agent-cache') });
  return new CompileRouter(() => undefined, events, cache);
}

beforeEach(() => {
  poolEvents.length = 0;
  remoteAnswers.length = 0;
  slotsAsked = 0;
  rmSync(join(root, 'agent-cache'), { recursive: true, force: true });
  router = startRouter();
});

/** Stops the "agent" as the real one stops: its compile service, then its cache (pending hints written). */
async function stopRouter(): Promise<void> {
  await router.close();
  cache?.close();
}

afterEach(stopRouter);

afterAll(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

function clientEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH as string,
    HOME: root,
    LC_ALL: 'C',
    SSHCC_DIR: agentDir,
    SSHCC_HOSTS: `${volunteer.alias}/1`,
    SSHCC_SSH_CONFIG: volunteer.sshConfigFile,
    SSHCC_KNOWN_HOSTS: '',
    SSH_AUTH_SOCK: '',
    // These tests hold cpp mid-stream; a hit with no cpp run at all (direct mode) is direct-cache-e2e's.
    SSHCC_DIRECT: '0',
  };
}

function compileRequest(argv: readonly string[]): CompileRequest {
  return { argv, argv0: 'sshcc', cwd: project, env: clientEnv(), umask: 0o022, clientExe: '/nonexistent/sshcc' };
}

/** The preprocessor's end, as the test lets it come. */
type Verdict = 'whole' | 'fail';

/** A client preprocessor held after HELD_AFTER_BYTES until `open` is called; `held` resolves when it waits there. */
function gatedPreprocessor(): { preprocess: PreprocessInClient; held: Promise<void>; open: (verdict: Verdict) => void } {
  let open!: (verdict: Verdict) => void;
  const gate = new Promise<Verdict>((resolve) => (open = resolve));
  let markHeld!: () => void;
  const held = new Promise<void>((resolve) => (markHeld = resolve));
  const preprocess: PreprocessInClient = async (argv, { maxOutputBytes, signal, onStdout }) => {
    const run = await spawnCaptured(
      argv.filter((arg) => arg !== BAD_FLAG),
      { cwd: project, env: clientEnv(), umask: 0o022, signal, maxOutputBytes },
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(2 * HELD_AFTER_BYTES);
    cppOutputBytes = run.stdout.length;
    onStdout?.(run.stdout.subarray(0, HELD_AFTER_BYTES));
    markHeld();
    // As the real one does: the client going away ends the run at once.
    const verdict = await Promise.race([
      gate,
      new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ]);
    if (verdict === 'fail') return { exitCode: 1, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.from('cpp: error: made to fail\n') };
    onStdout?.(run.stdout.subarray(HELD_AFTER_BYTES));
    return run;
  };
  return { preprocess, held, open };
}

/** Compiles `name`.c through the router with a gated preprocessor; `whileHeld` runs while cpp is held. */
async function compileHeld(
  name: string,
  whileHeld: () => Promise<Verdict>,
  extraArgs: readonly string[] = [],
  controller = new AbortController(),
): Promise<CompileAnswer> {
  const gated = gatedPreprocessor();
  const answer = router.handle(compileRequest(['gcc', '-O2', ...extraArgs, '-c', `${name}.c`, '-o', `${name}.o`]), {
    signal: controller.signal,
    preprocess: gated.preprocess,
  });
  await gated.held;
  gated.open(await whileHeld());
  return answer;
}

function writeSource(name: string): void {
  writeFileSync(join(project, `${name}.c`), bigSource(name));
  rmSync(join(project, `${name}.o`), { force: true });
}

function localObject(name: string): Buffer {
  const out = join(root, `${name}.local.o`);
  const run = spawnSync('gcc', ['-O2', '-c', `${name}.c`, '-o', out], { cwd: project, env: clientEnv() });
  expect(run.status).toBe(0);
  return readFileSync(out);
}

const compilerRunning = (): boolean => compilersUnder(volunteerTmp).length > 0;
const jobDirsLeft = (): string[] => jobLeftovers(volunteerTmp);
const channelsOpened = (): number => poolEvents.filter((event) => event.type === 'channel-opened').length;

test('a source still being preprocessed goes up at once: the volunteer compiles it before cpp ends, and the object matches a local one', async () => {
  writeSource('streamed');
  let ranEarly = false;
  const answer = await compileHeld('streamed', async () => {
    ranEarly = await waitFor(compilerRunning, WAIT_MS, 10);
    return 'whole';
  });
  expect(ranEarly).toBe(true);
  expect(answer).toMatchObject({ kind: 'result', exitCode: 0 });
  expect(readFileSync(join(project, 'streamed.o')).equals(localObject('streamed'))).toBe(true);
  expect(remoteAnswers).toHaveLength(1);
  // All of it went up, the held part as it came after the rest.
  expect(remoteAnswers[0]?.transfer.sentBytes).toBe(cppOutputBytes);
  expect(await waitFor(() => jobDirsLeft().length === 0, WAIT_MS)).toBe(true);
}, 120_000);

test('cpp failing mid-stream cancels the remote job: its compiler is killed, its job dir removed, the compile goes local, and the channel serves the next job', async () => {
  writeSource('cppfails');
  const answer = await compileHeld('cppfails', async () => {
    expect(await waitFor(compilerRunning, WAIT_MS, 10)).toBe(true);
    return 'fail';
  });
  // Run here, where the compiler prints its own diagnostics.
  expect(answer).toMatchObject({ kind: 'exec' });
  expect(await waitFor(() => !compilerRunning() && jobDirsLeft().length === 0, WAIT_MS)).toBe(true);
  // The volunteer answered the cancel rather than a compile.
  expect(remoteAnswers).toHaveLength(0);
  const opened = channelsOpened();
  expect(opened).toBe(1);

  writeSource('after');
  const next = await compileHeld('after', async () => 'whole');
  expect(next).toMatchObject({ kind: 'result', exitCode: 0 });
  expect(readFileSync(join(project, 'after.o')).equals(localObject('after'))).toBe(true);
  expect(channelsOpened()).toBe(opened);
}, 120_000);

test('a client that goes away mid-stream (Ctrl-C) cancels the remote job: its compiler is killed and its job dir removed', async () => {
  writeSource('gone');
  const controller = new AbortController();
  const answer = compileHeld(
    'gone',
    async () => {
      expect(await waitFor(compilerRunning, WAIT_MS, 10)).toBe(true);
      controller.abort(new Error('the client went away'));
      return 'fail';
    },
    [],
    controller,
  );
  await expect(answer).rejects.toThrow('the client went away');
  expect(await waitFor(() => !compilerRunning() && jobDirsLeft().length === 0, WAIT_MS)).toBe(true);
  expect(remoteAnswers).toHaveLength(0);
}, 120_000);

test('a remote compiler that exits at once (bad flags) answers before cpp ends; the agent waits for cpp, reruns the compile here, and keeps the channel', async () => {
  writeSource('badflag');
  const answer = await compileHeld(
    'badflag',
    async () => {
      expect(await waitFor(() => remoteAnswers.length > 0, WAIT_MS, 10)).toBe(true);
      return 'whole';
    },
    [BAD_FLAG],
  );
  expect(remoteAnswers[0]).toMatchObject({ kind: 'compiled', exitCode: 1 });
  expect(remoteAnswers[0]?.stderr.toString()).toContain('bogus');
  expect(answer).toMatchObject({ kind: 'exec' });
  expect(await waitFor(() => jobDirsLeft().length === 0, WAIT_MS)).toBe(true);

  writeSource('afterbad');
  const next = await compileHeld('afterbad', async () => 'whole');
  expect(next).toMatchObject({ kind: 'result', exitCode: 0 });
  expect(channelsOpened()).toBe(1);
}, 120_000);

test('the agent cache and streaming: a command line it answered before waits for cpp and hits, sending nothing, also after an agent restart; without that hint the job streams and the hit at cpp end cancels the remote job', async () => {
  writeSource('cached');
  const first = await compileHeld('cached', async () => 'whole');
  expect(first).toMatchObject({ kind: 'result', exitCode: 0 });
  const object = readFileSync(join(project, 'cached.o'));

  /** Compiles cached.c again; `whileHeld` as in compileHeld. */
  async function again(whileHeld: () => Promise<Verdict>): Promise<void> {
    rmSync(join(project, 'cached.o'));
    remoteAnswers.length = 0;
    slotsAsked = 0;
    const answer = await compileHeld('cached', whileHeld);
    expect(answer).toMatchObject({ kind: 'result', exitCode: 0 });
    expect(readFileSync(join(project, 'cached.o')).equals(object)).toBe(true);
  }

  // The same command line: its last key is in the cache, so the job is not streamed but looked up.
  await again(async () => 'whole');
  expect(slotsAsked).toBe(0);
  expect(remoteAnswers).toHaveLength(0);

  // A restarted agent reads the hints the last one wrote as it stopped.
  await stopRouter();
  router = startRouter();
  await again(async () => 'whole');
  expect(slotsAsked).toBe(0);

  // Without them (an agent killed before it wrote them), the job streams until cpp ends, then hits. (The
  // volunteer's copy goes, or the volunteer's own lookup at the source's end could answer first.)
  await stopRouter();
  rmSync(join(root, 'agent-cache', 'sshcc', 'agent', 'recent-commands.json'));
  router = startRouter();
  rmSync(join(root, 'volunteer-cache'), { recursive: true, force: true });
  await again(async () => {
    expect(await waitFor(compilerRunning, WAIT_MS, 10)).toBe(true);
    return 'whole';
  });
  expect(slotsAsked).toBe(1);
  expect(remoteAnswers.filter((result) => result.kind === 'compiled')).toHaveLength(0);
  expect(await waitFor(() => !compilerRunning() && jobDirsLeft().length === 0, WAIT_MS)).toBe(true);
}, 120_000);
