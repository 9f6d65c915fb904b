import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientChannel } from 'ssh2';
import { formatError, SshccError } from '@sshcc/core';
import { startTcpProxy, startVolunteer, stopAll, writeStartLogServer, type StartLine, type StartLogServer, type Volunteer } from '@sshcc/testkit';
import { MAX_OPENING_PER_HOST, SshPool, type PoolHost, type SshPoolOptions } from './ssh-pool';
import type { PoolEvent } from './pool-events';
import type { PoolWorker } from './pool-worker';
import type { WorkerHandshake } from './open-worker-channel';
import { clearSshConfigCache } from './resolve-ssh-config';

// The pool against real sshd volunteers. Until sshcc-server exists the "server" is /bin/cat: the handshake
// sends a line and expects it back, which proves a channel reaches a running process and stays usable.

interface CatSession {
  readonly channel: ClientChannel;
}

const HELLO = 'sshcc-test-hello\n';

/** Reads until `expected` has arrived on the channel; rejects if it closes first. */
function readExactly(channel: ClientChannel, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (chunk: Buffer): void => {
      got += chunk.toString();
      if (got.length < expected.length) return;
      cleanup();
      if (got === expected) resolve();
      else reject(new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`));
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('channel closed during the handshake'));
    };
    const cleanup = (): void => {
      channel.off('data', onData);
      channel.off('close', onClose);
    };
    channel.on('data', onData);
    channel.on('close', onClose);
  });
}

const catHandshake: WorkerHandshake<CatSession> = async (channel) => {
  channel.write(HELLO);
  await readExactly(channel, HELLO);
  return { channel };
};

/** One "job": a line through the worker's server and back. */
async function echo(worker: PoolWorker<CatSession>, text: string): Promise<void> {
  const back = readExactly(worker.session.channel, `${text}\n`);
  worker.session.channel.write(`${text}\n`);
  await back;
}

const pools: SshPool<CatSession>[] = [];

/** Only the given ssh_config and the volunteers' own keys: no agent, no known_hosts of this machine. */
function sshEnv(sshConfigFile: string): NodeJS.ProcessEnv {
  return { ...process.env, SSH_AUTH_SOCK: '', SSHCC_KNOWN_HOSTS: '', SSHCC_SSH_CONFIG: sshConfigFile };
}

function poolFor(v: Volunteer, slots: number, extra: Partial<SshPoolOptions<CatSession>> = {}): { pool: SshPool<CatSession>; events: PoolEvent[]; host: PoolHost } {
  const host: PoolHost = { spec: v.alias, host: v.alias, user: null, port: null, slots };
  const pool = new SshPool<CatSession>({
    hosts: [host],
    handshake: catHandshake,
    ...('serverCommand' in extra ? {} : { serverCommand: '/bin/cat' }),
    ...extra,
    connect: { env: sshEnv(v.sshConfigFile), ...extra.connect },
  });
  const events: PoolEvent[] = [];
  pool.on('event', (event) => events.push(event));
  pools.push(pool);
  return { pool, events, host };
}

function nextEvent(pool: SshPool<CatSession>, type: PoolEvent['type']): Promise<PoolEvent> {
  return new Promise((resolve) => {
    const listener = (event: PoolEvent): void => {
      if (event.type !== type) return;
      pool.off('event', listener);
      resolve(event);
    };
    pool.on('event', listener);
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

let catVol: Volunteer;
let execVol: Volunteer;

beforeAll(async () => {
  [catVol, execVol] = await Promise.all([startVolunteer({ serverCommand: '/bin/cat' }), startVolunteer({ subsystem: false })]);
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  clearSshConfigCache();
});

afterAll(() => stopAll());

describe('SshPool', () => {
  it('checks its options and host ids', async () => {
    const host: PoolHost = { spec: 'a', host: 'a', user: null, port: null, slots: 1 };
    expect(() => new SshPool({ hosts: [host, host], handshake: catHandshake })).toThrow('host a is listed twice');
    expect(() => new SshPool({ hosts: [host], handshake: catHandshake, channelsPerConnection: 0 })).toThrow(
      'channelsPerConnection must be a positive integer, not 0',
    );
    const pool = new SshPool({ hosts: [host], handshake: catHandshake });
    pools.push(pool);
    expect(((await rejection(pool.acquire('b'))) as SshccError).message).toBe('the pool has no host b');
    expect(pool.isAvailable('a')).toBe(true);
  });

  it('opens a worker through the sshcc subsystem and reuses it for the next job', async () => {
    const { pool, events } = poolFor(catVol, 2);
    const first = await pool.acquire(catVol.alias);
    expect(first.mode).toBe('subsystem');
    await echo(first, 'job 1');
    pool.release(first);
    const again = await pool.acquire(catVol.alias);
    expect(again).toBe(first);
    await echo(again, 'job 2');
    pool.release(again);
    expect(events.map((e) => e.type)).toEqual(['connection-opened', 'channel-opened', 'host-up']);
    expect(pool.hostStatus()).toEqual([
      {
        hostId: catVol.alias,
        state: 'up',
        destination: `${catVol.user}@127.0.0.1:${catVol.port}`,
        slots: 2,
        failures: 0,
        retryAt: undefined,
        lastError: undefined,
        mode: 'subsystem',
        connections: 1,
        channelsPerConnection: 9,
        workers: { idle: 1, busy: 0, opening: 0 },
        waiting: 0,
      },
    ]);
  });

  it('falls back to exec of the server command where sshd has no sshcc subsystem, and remembers it', async () => {
    const { pool } = poolFor(execVol, 3);
    const workers = [await pool.acquire(execVol.alias)];
    workers.push(...(await Promise.all([pool.acquire(execVol.alias), pool.acquire(execVol.alias)])));
    expect(workers.map((w) => w.mode)).toEqual(['exec', 'exec', 'exec']);
    await Promise.all(workers.map((w, i) => echo(w, `exec job ${i}`)));
    // sshd logs each refused subsystem request: only the first worker asked.
    expect(execVol.log.match(/subsystem request for sshcc by user \S+ failed/g)).toHaveLength(1);
  });

  it('says why sshcc-server would not start in either mode', async () => {
    const { pool } = poolFor(execVol, 1, { serverCommand: 'echo no server here >&2; exit 3' });
    const error = (await rejection(pool.acquire(execVol.alias))) as SshccError;
    expect(error.code).toBe('protocol');
    expect(error.message).toBe(`cannot start sshcc-server on ${execVol.user}@127.0.0.1:${execVol.port}`);
    expect(error.hint).toMatch(/^sshd has no `Subsystem sshcc`; exec echo no server here >&2; exit 3: channel closed during the handshake/);
  });

  it('execs the per-user install by default, expanded by the remote shell', async () => {
    const env = sshEnv(execVol.sshConfigFile);
    delete env.SSHCC_SERVER_COMMAND;
    const { pool } = poolFor(execVol, 1, { serverCommand: undefined, connect: { env } });
    const error = (await rejection(pool.acquire(execVol.alias))) as SshccError;
    // Nothing is installed in the volunteer's private HOME: the shell's complaint names the expanded path.
    expect(error.hint).toContain('exec ~/.local/lib/sshcc/sshcc-server: channel closed during the handshake (stderr: ');
    expect(error.hint).toContain(`${execVol.home}/.local/lib/sshcc/sshcc-server`);
  });

  it('puts at most 9 channels on a connection: the 10th worker opens a second one', async () => {
    const { pool } = poolFor(catVol, 10);
    const first = await pool.acquire(catVol.alias);
    const rest = await Promise.all(Array.from({ length: 9 }, () => pool.acquire(catVol.alias)));
    const workers = [first, ...rest];
    await Promise.all(workers.map((w, i) => echo(w, `parallel ${i}`)));
    const perConnection = new Map<number, number>();
    for (const w of workers) perConnection.set(w.connectionId, (perConnection.get(w.connectionId) ?? 0) + 1);
    expect([...perConnection.values()].sort()).toEqual([1, 9]);
    expect(pool.hostStatus()[0]!.connections).toBe(2);
  });

  it('keeps a host up when an extra connection is refused beside running workers, and opens it after a pause', async () => {
    const proxy = await startTcpProxy({ targetPort: catVol.port });
    try {
      const env = sshEnv(await catVol.writeSshConfigThrough(proxy.port));
      const { pool, events } = poolFor(catVol, 10, { backoff: { baseMs: 300, maxMs: 300 }, connect: { env } });
      const nine = await Promise.all(Array.from({ length: 9 }, () => pool.acquire(catVol.alias)));
      proxy.refuseNew(true);
      const tenth = pool.acquire(catVol.alias);
      await until('the refused connection', async () => events.some((e) => e.type === 'note'));
      await Promise.all(nine.map((w, i) => echo(w, `beside the refused connection ${i}`)));
      expect(pool.isAvailable(catVol.alias)).toBe(true);
      expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0, connections: 1, waiting: 1 });
      proxy.refuseNew(false);
      await echo(await tenth, 'on the second connection');
      expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0, connections: 2 });
      expect(events.map((e) => e.type)).not.toContain('host-backoff');
      const note = events.find((e) => e.type === 'note') as { message: string };
      expect(note.message).toMatch(/^a new connection failed \(.+\); the host stays up with 9 running, next new channel in 0\.3 s$/);
    } finally {
      await proxy.close();
    }
  });

  it('backs off a host whose extra connection gets no answer: its running workers would only wait for keepalives', async () => {
    const proxy = await startTcpProxy({ targetPort: catVol.port });
    try {
      const env = sshEnv(await catVol.writeSshConfigThrough(proxy.port));
      const { pool, events } = poolFor(catVol, 10, { connect: { env, connectTimeoutMs: 500 } });
      await Promise.all(Array.from({ length: 9 }, () => pool.acquire(catVol.alias)));
      proxy.pauseTraffic(); // a machine that hangs: connections open, nothing answers
      const error = (await rejection(pool.acquire(catVol.alias))) as SshccError;
      expect(formatError(error)).toBe(`sshcc: connect: timed out connecting to ${catVol.user}@127.0.0.1:${proxy.port}`);
      expect(pool.hostStatus()[0]).toMatchObject({ state: 'backoff', failures: 1 });
      expect(events.map((e) => e.type)).toContain('host-down');
      expect(events.map((e) => e.type)).not.toContain('note');
    } finally {
      await proxy.close();
    }
  });

  it('learns a smaller MaxSessions from the refused channel', async () => {
    const small = await startVolunteer({ serverCommand: '/bin/cat', maxSessions: 3 });
    const { pool, events } = poolFor(small, 5);
    const first = await pool.acquire(small.alias);
    const workers = [first, ...(await Promise.all(Array.from({ length: 4 }, () => pool.acquire(small.alias))))];
    await Promise.all(workers.map((w, i) => echo(w, `small ${i}`)));
    const counts = new Map<number, number>();
    for (const w of workers) counts.set(w.connectionId, (counts.get(w.connectionId) ?? 0) + 1);
    expect([...counts.values()].every((n) => n <= 3)).toBe(true);
    expect(pool.hostStatus()[0]!.channelsPerConnection).toBe(3);
    expect(events.filter((e) => e.type === 'note').map((e) => (e as { message: string }).message)).toEqual([
      expect.stringMatching(/refused channel 4 on one connection \(.*\); using 3 per connection$/),
    ]);
    await pool.close();
    await small.stop();
  });

  it('makes acquire wait for a free slot, and lets an AbortSignal give up', async () => {
    const { pool } = poolFor(catVol, 1);
    const only = await pool.acquire(catVol.alias);
    const waiting = pool.acquire(catVol.alias);
    const controller = new AbortController();
    const aborted = pool.acquire(catVol.alias, controller.signal);
    expect(pool.hostStatus()[0]!.waiting).toBe(2);
    controller.abort(new Error('job cancelled'));
    expect(await rejection(aborted)).toEqual(new Error('job cancelled'));
    pool.release(only);
    expect(await waiting).toBe(only);
  });

  it('closes a broken worker and opens a fresh one for the next job', async () => {
    const { pool, events } = poolFor(catVol, 1);
    const first = await pool.acquire(catVol.alias);
    pool.release(first, { broken: true });
    const second = await pool.acquire(catVol.alias);
    expect(second.id).not.toBe(first.id);
    await echo(second, 'after broken');
    expect(events).toContainEqual({ type: 'channel-closed', hostId: catVol.alias, workerId: first.id, reason: 'broken' });
  });

  it('drops a worker whose server exited and replaces it lazily', async () => {
    const { pool } = poolFor(catVol, 1);
    const first = await pool.acquire(catVol.alias);
    const closed = new Promise((resolve) => first.channel.once('close', resolve));
    first.channel.end(); // cat sees EOF and exits; sshd closes the channel
    await closed;
    pool.release(first);
    const second = await pool.acquire(catVol.alias);
    expect(second.id).not.toBe(first.id);
    await echo(second, 'replacement');
  });

  it('refuses a host whose key is not in known_hosts, and backs it off', async () => {
    let clock = 1_000;
    const empty = `${catVol.dir}/no_known_hosts`;
    const { pool, events } = poolFor(catVol, 1, {
      now: () => clock,
      connect: { env: { ...process.env, SSH_AUTH_SOCK: '', SSHCC_SSH_CONFIG: catVol.sshConfigFile, SSHCC_KNOWN_HOSTS: empty } },
    });
    const error = await rejection(pool.acquire(catVol.alias));
    expect(formatError(error)).toBe(
      `sshcc: host key: no known_hosts entry for [127.0.0.1]:${catVol.port} (run \`ssh -F ${catVol.sshConfigFile} ${catVol.alias}\` once to accept its key)`,
    );
    expect(events.map((e) => e.type)).toEqual(['host-backoff']);
    expect(pool.isAvailable(catVol.alias)).toBe(false);
    const status = pool.hostStatus()[0]!;
    expect([status.state, status.failures, status.retryAt, status.lastError]).toEqual(['backoff', 1, 6_000, formatError(error)]);
    const again = await rejection(pool.acquire(catVol.alias));
    expect(formatError(again)).toBe(
      `sshcc: host key: ${catVol.alias} is backed off for 5 s after: no known_hosts entry for [127.0.0.1]:${catVol.port} (run \`ssh -F ${catVol.sshConfigFile} ${catVol.alias}\` once to accept its key)`,
    );
    clock = 6_000;
    expect(pool.isAvailable(catVol.alias)).toBe(true);
  });

  it('backs off a killed volunteer, probes it again after the backoff, and uses it once it is back', async () => {
    const vol = await startVolunteer({ serverCommand: '/bin/cat' });
    let clock = 0;
    const { pool, events } = poolFor(vol, 2, { now: () => clock });
    const worker = await pool.acquire(vol.alias);
    const down = nextEvent(pool, 'host-backoff');
    await vol.kill();
    const backoff = (await down) as Extract<PoolEvent, { type: 'host-backoff' }>;
    expect([backoff.failures, backoff.delayMs, backoff.error.code]).toEqual([1, 5_000, 'connect']);
    expect(events.map((e) => e.type)).toContain('host-down');
    pool.release(worker); // its channel died with the connection: dropped, not reused
    expect((await rejection(pool.acquire(vol.alias)) as SshccError).code).toBe('connect');

    clock = 5_000; // backoff over: the next acquire probes, and the volunteer is still dead
    const refused = await rejection(pool.acquire(vol.alias));
    expect(formatError(refused)).toBe(`sshcc: connect: cannot connect to ${vol.user}@127.0.0.1:${vol.port}: connection refused`);
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'backoff', failures: 2, retryAt: 15_000 });

    await vol.restart();
    clock = 15_000;
    const back = await pool.acquire(vol.alias);
    await echo(back, 'after restart');
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0 });
    expect(events.filter((e) => e.type === 'host-up')).toHaveLength(2);
    await pool.close();
    await vol.stop();
  });

  it('notices a hung volunteer through keepalives within a bounded time', async () => {
    const vol = await startVolunteer({ serverCommand: '/bin/cat' });
    const { pool } = poolFor(vol, 1, { connect: { keepaliveIntervalMs: 200, keepaliveCountMax: 2 } });
    const worker = await pool.acquire(vol.alias);
    const down = nextEvent(pool, 'host-down');
    const started = Date.now();
    vol.pause();
    try {
      const event = (await down) as Extract<PoolEvent, { type: 'host-down' }>;
      // 2 unanswered keepalives at 200 ms, then the next tick: ~600 ms; allow for a loaded machine.
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(formatError(event.error)).toBe(`sshcc: connect: ${vol.user}@127.0.0.1:${vol.port} stopped answering (keepalive timeout)`);
      pool.release(worker);
      expect(pool.hostStatus()[0]!.workers).toEqual({ idle: 0, busy: 0, opening: 0 });
    } finally {
      vol.resume();
    }
    await pool.close();
    await vol.stop();
  });

  it('backs off a host a job reports at fault, lets the job running there finish, then probes it on its old connection', async () => {
    let clock = 0;
    const { pool, events } = poolFor(catVol, 2, { now: () => clock });
    const running = await pool.acquire(catVol.alias);
    const idle = await pool.acquire(catVol.alias);
    pool.release(idle);
    pool.reportHostFault(catVol.alias, new SshccError('remote-failed', "no space left in this server's TMPDIR"));
    expect(events.filter((e) => e.type === 'host-backoff')).toMatchObject([{ failures: 1, delayMs: 5_000, error: { code: 'remote-failed' } }]);
    expect(pool.isAvailable(catVol.alias)).toBe(false);
    expect(((await rejection(pool.acquire(catVol.alias))) as SshccError).code).toBe('remote-failed');
    // The job already there is not cut off; its worker closes when it comes back.
    await echo(running, 'still running');
    pool.release(running);
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'backoff', connections: 1, workers: { idle: 0, busy: 0, opening: 0 } });
    clock = 5_000;
    const again = await pool.acquire(catVol.alias);
    await echo(again, 'after the backoff');
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0, connections: 1 });
    expect(events.filter((e) => e.type === 'connection-opened')).toHaveLength(1);
    pool.release(again);
  });

  it('closes every channel and connection on close(), and refuses work afterwards', async () => {
    const { pool } = poolFor(catVol, 2);
    const busy = await pool.acquire(catVol.alias);
    const idle = await pool.acquire(catVol.alias);
    pool.release(idle);
    await pool.acquire(catVol.alias);
    const pending = rejection(pool.acquire(catVol.alias));
    expect(catVol.processes().length).toBeGreaterThan(1);
    await pool.close();
    expect(((await pending) as SshccError).message).toBe('the connection pool is closed');
    expect(((await rejection(pool.acquire(catVol.alias))) as SshccError).message).toBe('the connection pool is closed');
    pool.release(busy); // a job finishing after close() is harmless
    // Only the listening sshd is left once the sessions have wound down.
    for (let i = 0; i < 50 && catVol.processes().length > 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(catVol.processes()).toHaveLength(1);
  });
});

// Servers that log their own start (testkit's writeStartLogServer around /bin/cat): each start is
// numbered and logged, sleeps, then logs `ready N` and becomes cat, or, for the starts listed in
// `hangOn`, never answers the hello and logs `end N` once its channel is closed.
const scriptDirs: string[] = [];

async function loggingServer(options: { delaySeconds?: number; hangOn?: readonly number[] }): Promise<StartLogServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sshcc-pool-starts-'));
  scriptDirs.push(dir);
  return writeStartLogServer(dir, { ...options, then: 'cat' });
}

/** The most servers that had started but not yet answered (or ended) at any one moment. */
function mostStartingAtOnce(lines: readonly StartLine[]): number {
  const steps = lines.map((l) => ({ at: l.at, delta: l.what === 'start' ? 1 : -1 })).sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const step of steps) most = Math.max(most, (now += step.delta));
  return most;
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SshPool channel starts', () => {
  const volunteers: Volunteer[] = [];

  afterAll(async () => {
    await Promise.all(volunteers.splice(0).map((v) => v.stop()));
    await Promise.all(scriptDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function volunteerRunning(script: string): Promise<Volunteer> {
    const vol = await startVolunteer({ serverCommand: script });
    volunteers.push(vol);
    return vol;
  }

  it(`starts at most ${MAX_OPENING_PER_HOST} servers at once on a host, and a worker's handshake time excludes its wait for a turn`, async () => {
    const server = await loggingServer({ delaySeconds: 0.5 });
    const vol = await volunteerRunning(server.script);
    const { pool } = poolFor(vol, 16, { handshakeTimeoutMs: 2_500 });
    const workers = await Promise.all(Array.from({ length: 16 }, () => pool.acquire(vol.alias)));
    await Promise.all(workers.map((w, i) => echo(w, `burst ${i}`)));
    expect(new Set(workers.map((w) => w.id)).size).toBe(16);
    const lines = await server.lines();
    expect(lines.filter((l) => l.what === 'start')).toHaveLength(16);
    const most = mostStartingAtOnce(lines);
    expect(most).toBeLessThanOrEqual(MAX_OPENING_PER_HOST);
    expect(most).toBeGreaterThanOrEqual(2); // paced, not serialised
    // The last workers waited longer than the handshake timeout in all, yet none timed out.
    const span = Math.max(...lines.map((l) => l.at)) - Math.min(...lines.map((l) => l.at));
    expect(span).toBeGreaterThan(2_500);
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', connections: 2, workers: { idle: 0, busy: 16, opening: 0 } });
  });

  it('serves jobs waiting for a turn to start a server in order, and lets an aborted one leave without a server started for it', async () => {
    const server = await loggingServer({ delaySeconds: 0.3 });
    const vol = await volunteerRunning(server.script);
    const { pool } = poolFor(vol, 8);
    const served: number[] = [];
    const controller = new AbortController();
    const acquires = Array.from({ length: 8 }, (_, i) => {
      const acquired = pool.acquire(vol.alias, i % 2 === 1 ? controller.signal : undefined);
      return acquired.then((w) => (served.push(i), w));
    });
    controller.abort(new Error('job cancelled'));
    const results = await Promise.allSettled(acquires);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual(Array(4).fill(new Error('job cancelled')));
    expect(served).toEqual([0, 2, 4, 6]);
    // The probe was under way when the others gave up; the three jobs still waiting each got one.
    expect((await server.lines()).filter((l) => l.what === 'start')).toHaveLength(4);
    expect(pool.hostStatus()[0]).toMatchObject({ workers: { idle: 0, busy: 4, opening: 0 }, waiting: 0 });
  });

  it('closes a worker channel whose server never answers beside running workers, keeps the host up, and starts another', async () => {
    const server = await loggingServer({ hangOn: [3] });
    const vol = await volunteerRunning(server.script);
    const { pool, events } = poolFor(vol, 3, { handshakeTimeoutMs: 1_500, backoff: { baseMs: 300, maxMs: 300 } });
    const first = await pool.acquire(vol.alias);
    const more = Promise.all([pool.acquire(vol.alias), pool.acquire(vol.alias)]);
    await until('the third start', async () => (await server.lines()).some((l) => l.what === 'start' && l.n === 3));
    await echo(first, 'while a server hangs');
    const workers = [first, ...(await more)];
    await Promise.all(workers.map((w, i) => echo(w, `after the hang ${i}`)));
    // The replacement ran the proven subsystem again; exec (here /bin/cat, which logs nothing) was not tried.
    expect(workers.map((w) => w.mode)).toEqual(['subsystem', 'subsystem', 'subsystem']);
    const lines = await server.lines();
    expect(lines.filter((l) => l.what === 'ready').map((l) => l.n).sort()).toEqual([1, 2, 4]);
    await until('the hung server to see its channel closed', async () => (await server.lines()).some((l) => l.what === 'end' && l.n === 3));
    expect(pool.isAvailable(vol.alias)).toBe(true);
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0, retryAt: undefined, lastError: undefined, connections: 1 });
    expect(events.map((e) => e.type)).not.toContain('host-backoff');
    expect(events.filter((e) => e.type === 'note').map((e) => (e as { message: string }).message)).toEqual([
      `a new worker channel failed and was closed (cannot start sshcc-server on ${vol.user}@127.0.0.1:${vol.port}: subsystem sshcc: no handshake within 1.5 s); the host stays up with 2 running, next new channel in 0.3 s`,
    ]);
  });

  it('ends the pause on new channels when the last running worker goes', async () => {
    const server = await loggingServer({ hangOn: [2] });
    const vol = await volunteerRunning(server.script);
    const { pool, events } = poolFor(vol, 2, { handshakeTimeoutMs: 500, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const first = await pool.acquire(vol.alias);
    const waiting = pool.acquire(vol.alias);
    await until('the failed start', async () => events.some((e) => e.type === 'note'));
    pool.release(first, { broken: true });
    const next = await waiting; // at once, not after the 60 s pause
    await echo(next, 'after the pause ended');
    expect((await server.lines()).filter((l) => l.what === 'ready').map((l) => l.n)).toEqual([1, 3]);
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'up', failures: 0 });
  });

  it('still backs off a host whose first server never answers, in either mode', async () => {
    const server = await loggingServer({ hangOn: [1, 2] });
    const vol = await volunteerRunning(server.script);
    let clock = 0;
    const { pool, events } = poolFor(vol, 2, { serverCommand: server.script, handshakeTimeoutMs: 500, now: () => clock });
    const error = (await rejection(pool.acquire(vol.alias))) as SshccError;
    expect([error.code, error.message, error.hint]).toEqual([
      'protocol',
      `cannot start sshcc-server on ${vol.user}@127.0.0.1:${vol.port}`,
      `subsystem sshcc: no handshake within 0.5 s; exec ${server.script}: no handshake within 0.5 s`,
    ]);
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'backoff', failures: 1, retryAt: 5_000 });
    expect(events.map((e) => e.type)).toEqual(['connection-opened', 'host-backoff']);
  });

  it('backs off a host that is up but has no running worker when a new server never answers', async () => {
    const server = await loggingServer({ hangOn: [2] });
    const vol = await volunteerRunning(server.script);
    const { pool, events } = poolFor(vol, 2, { handshakeTimeoutMs: 500 });
    const first = await pool.acquire(vol.alias);
    pool.release(first, { broken: true });
    const error = (await rejection(pool.acquire(vol.alias))) as SshccError;
    expect(error.hint).toBe('subsystem sshcc: no handshake within 0.5 s');
    expect(pool.hostStatus()[0]).toMatchObject({ state: 'backoff', failures: 1 });
    expect(events.map((e) => e.type)).toEqual(['connection-opened', 'channel-opened', 'host-up', 'channel-closed', 'host-down', 'host-backoff']);
  });
});
