import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { slowJobSpec } from './test-job-spec';
import { cleanUp, connect, processesIn, slowSource, startServer, testRoot, waitUntil } from './test-server';

afterEach(cleanUp);

const SLOW = Buffer.from(slowSource());

describe('sshcc-server killed with SIGKILL mid-compile (no exit path of its own runs)', () => {
  it('its watchdog kills the whole compiler group (driver, cc1, as) and removes the job dir', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const running = session.runJob(await slowJobSpec(root), SLOW);
    running.catch(() => undefined);
    // cc1 itself, not only the driver: the part setpriv --pdeathsig on the driver would miss.
    expect(await waitUntil(() => processesIn(server.tmp).length >= 2, 10_000)).toBe(true);
    expect(readdirSync(server.tmp)).toHaveLength(1);
    server.child.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
    expect(await waitUntil(() => processesIn(server.tmp).length === 0 && readdirSync(server.tmp).length === 0, 3000)).toBe(true);
    await expect(running).rejects.toThrow();
  });

  it('a server that ends normally leaves no watchdog behind', async () => {
    const root = testRoot();
    const server = startServer(root);
    const session = await connect(server);
    const result = await session.runJob(await slowJobSpec(root), Buffer.from('int tiny;\n'));
    expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
    const watchdogs = watchdogsOf(server.child.pid as number);
    expect(watchdogs).toHaveLength(1);
    await session.close();
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await waitUntil(() => watchdogs.every((pid) => !alive(pid)), 3000)).toBe(true);
  });
});

/** The watchdog shells `pid` started (found by their argv[0] and parent). */
function watchdogsOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('sshcc-server-watchdog')) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Running, not a zombie waiting for its parent. */
function alive(pid: number): boolean {
  try {
    return existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
