// The account's slots through the built sshcc-server, as sshd runs it: each server process is a channel,
// and they share the slots through the coordinator the first of them starts.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientSession, JobSpec } from '@sshcc/protocol';
import { gccJobSpec, slowJobSpec } from './test-job-spec';
import { cleanUp, connect, processesIn, SERVER_BIN, slowSource, startServer, testRoot, waitUntil, type TestServer } from './test-server';

afterEach(cleanUp);

const SLOW = Buffer.from(slowSource());
const TINY = Buffer.from('int tiny;\n');
const AGENT_A = 'aaaaaaaaaaaaaaaa';
const AGENT_B = 'bbbbbbbbbbbbbbbb';

function account(slots: unknown, env: NodeJS.ProcessEnv = {}): { root: string; start: () => TestServer } {
  const root = testRoot();
  writeFileSync(join(root, 'config', 'sshcc', 'server.json'), JSON.stringify({ slots }));
  return { root, start: () => startServer(root, [], env) };
}

/** A job holding one slot: a compile that runs until it is cancelled. */
async function holdSlot(session: ClientSession, root: string, server: TestServer): Promise<{ readonly done: Promise<unknown>; readonly stop: () => void }> {
  const controller = new AbortController();
  const done = session.runJob(await slowJobSpec(root), SLOW, { signal: controller.signal }).catch((err: unknown) => err);
  expect(await waitUntil(() => processesIn(server.tmp).length > 0, 20_000)).toBe(true);
  return { done, stop: () => controller.abort(new Error('stopped by the test')) };
}

const tiny = (root: string, whenBusy: JobSpec['whenBusy']): Promise<JobSpec> => gccJobSpec(root, { input: 'tiny.c', output: 'tiny.o', whenBusy });

describe("an account's slots, shared by its servers", () => {
  it('says them in the hello; with every slot taken, declines at once a job with another place and queues one without', async () => {
    const { root, start } = account(1);
    const a = start();
    const first = await connect(a, { agent: AGENT_A });
    expect(first.hello.capacity).toMatchObject({ cap: 1, busy: 0, waiting: 0, cpus: availableParallelism() });
    const held = await holdSlot(first, root, a);
    const b = start();
    const second = await connect(b, { agent: AGENT_B });
    expect(second.hello.capacity).toMatchObject({ cap: 1, busy: 1, waiting: 0 });
    const declined = await second.runJob(await tiny(root, 'decline'), TINY);
    expect(declined).toMatchObject({ kind: 'busy', message: "all 1 of the volunteer's slots are taken", capacity: { cap: 1, busy: 1, waiting: 0 } });
    // The compiler is found by identity before any slot is asked for: a busy answer says it matched
    // (sshcc ping counts it so), and one it does not have is answered as ever.
    const other = await tiny(root, 'decline');
    expect(await second.runJob({ ...other, fingerprint: { ...other.fingerprint, driver: 'f'.repeat(64) } }, TINY)).toMatchObject({ kind: 'compiler-mismatch' });
    const queued = second.runJob(await tiny(root, 'wait'), TINY);
    // Another channel's hello counts the other clients' jobs: one running, one queued.
    const third = await connect(start());
    expect(third.hello.capacity).toMatchObject({ cap: 1, busy: 1, waiting: 1 });
    held.stop();
    const served = await queued;
    expect(served).toMatchObject({ kind: 'compiled', exitCode: 0, capacity: { cap: 1, busy: 0, waiting: 0 } });
    expect(served.timings.slotWaitMs).toBeGreaterThan(0);
  }, 60_000);

  it("a SIGKILLed server's slot is free at once: the job waiting for it runs", async () => {
    const { root, start } = account(1);
    const a = start();
    await holdSlot(await connect(a, { agent: AGENT_A }), root, a);
    const b = start();
    const waiting = (await connect(b, { agent: AGENT_B })).runJob(await tiny(root, 'wait'), TINY);
    a.child.kill('SIGKILL');
    await a.exited;
    expect(await waiting).toMatchObject({ kind: 'compiled', exitCode: 0 });
  }, 60_000);

  it('slots 0 (draining): the running job finishes, a new one is declined busy whatever it asks', async () => {
    const { root, start } = account(1);
    const a = start();
    const first = await connect(a, { agent: AGENT_A });
    // A compile of a second or so: it must outlive the edit below, and end by itself.
    const running = first.runJob(await slowJobSpec(root), Buffer.from(slowSource(600)));
    expect(await waitUntil(() => processesIn(a.tmp).length > 0, 20_000)).toBe(true);
    writeFileSync(join(root, 'config', 'sshcc', 'server.json'), '{"slots": 0}');
    const second = await connect(start(), { agent: AGENT_B });
    // The coordinator hears of the edit through fs.watch: a job asked before that waits, and is declined when it does.
    expect(await second.runJob(await tiny(root, 'wait'), TINY)).toMatchObject({ kind: 'busy', message: 'the volunteer is draining (slots 0)', capacity: { cap: 0 } });
    expect(await running).toMatchObject({ kind: 'compiled', exitCode: 0 });
    expect(await second.runJob(await tiny(root, 'wait'), TINY)).toMatchObject({ kind: 'busy', capacity: { cap: 0, busy: 0 } });
    // A client older than 'busy' names no agent in its hello: it is told the one refusal it can read.
    const older = await connect(start());
    expect(await older.runJob(await tiny(root, undefined), TINY)).toMatchObject({ kind: 'remote-failed', message: 'the volunteer is draining (slots 0)' });
  }, 60_000);
});

describe('a bad `slots` value', () => {
  it('is one clear line, in --check (which fails) and on each session stderr; the server serves with the CPU count', async () => {
    const { root, start } = account('many');
    const file = join(root, 'config', 'sshcc', 'server.json');
    const line = `${file}: slots: "many" is not a whole number from 0 to 4096; using ${availableParallelism()} (the CPU count)`;
    const env = { ...process.env, XDG_CONFIG_HOME: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache') };
    const check = spawnSync(process.execPath, [SERVER_BIN, '--check'], { env, encoding: 'utf8' });
    expect(check.status).toBe(102);
    expect(check.stdout.split('\n').filter((l) => l.startsWith('error: '))).toEqual([`error: ${line}`]);
    const server = start();
    const session = await connect(server, { agent: AGENT_A });
    expect(session.hello.capacity).toMatchObject({ cap: availableParallelism() });
    expect(await session.runJob(await tiny(root, 'wait'), TINY)).toMatchObject({ kind: 'compiled', exitCode: 0 });
    expect(server.stderr()).toBe(`sshcc-server: config: ${line}\n`);
  }, 60_000);
});

describe("the admin's cap across accounts", () => {
  it('two accounts (two coordinators) share one machine-wide slot; a SIGKILLed holder leaves it free', async () => {
    const shared = join(testRoot(), 'shared');
    mkdirSync(shared, { mode: 0o1777 });
    const system = join(testRoot(), 'system.json');
    writeFileSync(system, JSON.stringify({ sharedSlots: { dir: shared, cap: 1 } }));
    const env = { SSHCC_SYSTEM_CONFIG: system };
    const one = account(4, env);
    const two = account(4, env);
    const a = one.start();
    await holdSlot(await connect(a, { agent: AGENT_A }), one.root, a);
    const other = await connect(two.start(), { agent: AGENT_B });
    expect(await other.runJob(await tiny(two.root, 'decline'), TINY)).toMatchObject({ kind: 'busy', message: 'the machine-wide cap of 1 slots stayed full' });
    const waiting = other.runJob(await tiny(two.root, 'wait'), TINY);
    a.child.kill('SIGKILL');
    // Its ticket stays behind; its pid is gone, so it no longer counts (found within SHARED_RECHECK_MS).
    expect(await waiting).toMatchObject({ kind: 'compiled', exitCode: 0 });
    // The dead holder's ticket was removed by the job that found it dead; the job's own by its release.
    expect(readdirSync(shared)).toEqual([]);
  }, 60_000);
});
