// The pool's channel starts against real sshcc-servers behind a real sshd: a burst of workers on one host
// starts at most MAX_OPENING_PER_HOST servers (~60 MB Node processes) at once, and a server that never
// answers its hello beside running workers costs that channel only, not the host. The volunteer's
// Subsystem is a wrapper that numbers each start and logs it, then becomes the real server (or, for the
// starts told to hang, reads its stdin until the channel closes and logs that).

import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientSession } from '@sshcc/protocol';
import { MAX_OPENING_PER_HOST, SshPool, sshccHandshake, type PoolEvent, type PoolHost } from '../packages/client/src/pool';
import { defaultServerCommand, startVolunteer, stopAll, writeStartLogServer, type StartLine, type Volunteer } from '@sshcc/testkit';
import { buildLocally, splitCompile, writeFiles, type SplitCompile } from './support/split-compile';

const LINE = 'gcc -O2 -c src/hello.c -o obj/hello.o';
const HELLO_C = 'int square(int x) { return x * x; }\nint main(void) { return square(3) - 9; }\n';

let root: string;
let project: string;
let split: SplitCompile;
let localObject: Buffer;
const pools: SshPool<ClientSession>[] = [];

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-pool-starts-')));
  project = join(root, 'project');
  mkdirSync(join(project, 'obj'), { recursive: true });
  writeFiles(project, { 'src/hello.c': HELLO_C });
  split = await splitCompile(LINE, project);
  localObject = buildLocally(LINE, split, project).get('hello.o') as Buffer;
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

afterAll(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/** A volunteer whose sshcc Subsystem logs each server start (testkit's writeStartLogServer around the real server) and hangs on `hangOn`. */
async function loggingVolunteer(name: string, hangOn: readonly number[]): Promise<{ volunteer: Volunteer; log(): StartLine[] }> {
  const dir = join(root, name);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const server = writeStartLogServer(dir, { then: defaultServerCommand(), hangOn });
  // The server's own TMPDIR and config dir, so this machine's ~/.config/sshcc changes nothing.
  const volunteer = await startVolunteer({ serverCommand: server.script, env: { TMPDIR: join(dir, 'tmp'), XDG_CONFIG_HOME: join(dir, 'config') } });
  return { volunteer, log: server.lines };
}

function poolFor(v: Volunteer, slots: number, handshakeTimeoutMs: number): { pool: SshPool<ClientSession>; events: { at: number; event: PoolEvent }[] } {
  const host: PoolHost = { spec: v.alias, host: v.alias, user: null, port: null, slots };
  const pool = new SshPool<ClientSession>({
    hosts: [host],
    handshake: sshccHandshake({ client: 'pool-test' }),
    handshakeTimeoutMs,
    backoff: { baseMs: 300, maxMs: 300 },
    connect: { env: { ...process.env, SSH_AUTH_SOCK: '', SSHCC_KNOWN_HOSTS: '', SSHCC_SSH_CONFIG: v.sshConfigFile } },
  });
  const events: { at: number; event: PoolEvent }[] = [];
  pool.on('event', (event) => events.push({ at: Date.now(), event }));
  pools.push(pool);
  return { pool, events };
}

async function compileOn(session: ClientSession): Promise<void> {
  const result = await session.runJob(split.spec, split.source);
  expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
  expect(result.outputs.get('hello.o')?.equals(localObject)).toBe(true);
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it(`starts at most ${MAX_OPENING_PER_HOST} sshcc-servers at once for 16 workers on one host, and all 16 compile`, async () => {
  const { volunteer, log } = await loggingVolunteer('burst', []);
  const { pool, events } = poolFor(volunteer, 16, 20_000);
  const workers = await Promise.all(Array.from({ length: 16 }, () => pool.acquire(volunteer.alias)));
  await Promise.all(workers.map((w) => compileOn(w.session)));
  // A server is starting from its wrapper's log line until the pool has its hello (channel-opened).
  const starts = log().filter((l) => l.what === 'start');
  const opened = events.filter((e) => e.event.type === 'channel-opened');
  expect([starts.length, opened.length]).toEqual([16, 16]);
  const steps = [...starts.map((s) => ({ at: s.at, delta: 1 })), ...opened.map((o) => ({ at: o.at, delta: -1 }))].sort((a, b) => a.at - b.at || a.delta - b.delta);
  let starting = 0;
  let most = 0;
  for (const step of steps) most = Math.max(most, (starting += step.delta));
  expect(most).toBeLessThanOrEqual(MAX_OPENING_PER_HOST);
  expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0, connections: 2, workers: { busy: 16, opening: 0 } });
}, 120_000);

it('closes the channel of a server that never says hello, compiles on the others meanwhile, and keeps the host up', async () => {
  const { volunteer, log } = await loggingVolunteer('hang', [3]);
  const { pool, events } = poolFor(volunteer, 3, 6_000);
  const first = await pool.acquire(volunteer.alias);
  const more = Promise.all([pool.acquire(volunteer.alias), pool.acquire(volunteer.alias)]);
  await until('the third server start', () => log().some((l) => l.what === 'start' && l.n === 3));
  await compileOn(first.session);
  const workers = [first, ...(await more)];
  await Promise.all(workers.map((w) => compileOn(w.session)));
  await until('the hung start to see its channel closed', () => log().some((l) => l.what === 'end' && l.n === 3));
  expect(log().filter((l) => l.what === 'start')).toHaveLength(4);
  expect(pool.isAvailable(volunteer.alias)).toBe(true);
  expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0, lastError: undefined, workers: { busy: 3 } });
  const types = events.map((e) => e.event.type);
  expect(types).not.toContain('host-down');
  expect(types).not.toContain('host-backoff');
  expect(events.map((e) => e.event).filter((e) => e.type === 'note')).toEqual([
    expect.objectContaining({ message: expect.stringContaining('subsystem sshcc: no handshake within 6 s); the host stays up with 2 running') }),
  ]);
}, 120_000);
