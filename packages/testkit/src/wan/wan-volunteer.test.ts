// The WAN volunteer's shaping is real: measured through the link with ssh sessions (round trips on an open
// channel, bulk transfers both ways), the loss rules' own counters, and a link that goes silent on cue.
import { execFile } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import type { Client, ClientChannel } from 'ssh2';
import { connectClient, execText, openExec, startWanVolunteer, stopAll, wanUnavailable, type WanVolunteer } from '@sshcc/testkit';
import { isAlive } from '../process-tree';
import { runToolSync } from './run-tool';

const DELAY_MS = 25;
const RATE_MBIT = 20;
const reason = wanUnavailable();

/** Median time for one byte to go through `cat` on the volunteer and back, on an open channel. */
async function roundTripMs(channel: ClientChannel, samples = 9): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    channel.write('x');
    await new Promise((resolve) => channel.once('data', resolve));
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(samples / 2)] as number;
}

/** Mbit/s of `bytes` coming down (volunteer → client) or going up through one exec channel. */
async function transferMbit(client: Client, direction: 'down' | 'up', bytes: number): Promise<number> {
  const started = performance.now();
  if (direction === 'down') {
    const channel = await openExec(client, `head -c ${bytes} /dev/zero`);
    let got = 0;
    channel.on('data', (chunk: Buffer) => (got += chunk.length));
    await new Promise((resolve) => channel.once('close', resolve));
    expect(got).toBe(bytes);
  } else {
    const result = await execText(client, 'wc -c', Buffer.alloc(bytes));
    expect(result.stdout.trim()).toBe(String(bytes));
  }
  return (bytes * 8) / 1e6 / ((performance.now() - started) / 1000);
}

/** Whether a byte sent into `cat` comes back within `ms`. */
function echoWithin(channel: ClientChannel, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      channel.off('data', onData);
      resolve(false);
    }, ms);
    const onData = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    channel.once('data', onData);
    channel.write('y');
  });
}

const netnsOf = (pid: number): string => readlinkSync(`/proc/${pid}/ns/net`);
const namespaces = (): string => runToolSync(['ip', 'netns', 'list']).stdout;
const links = (): string => runToolSync(['ip', '-o', 'link', 'show']).stdout;

if (reason !== undefined) {
  test('no WAN volunteer can run here, and startWanVolunteer says why', async () => {
    console.log(`WAN tests not run: ${reason}`);
    expect(reason).toMatch(/not root|iproute2|ip netns add/);
    await expect(startWanVolunteer()).rejects.toThrow(`testkit: no WAN volunteer here: ${reason}`);
  });
} else {
  afterAll(() => stopAll());

  describe(`a volunteer behind ${DELAY_MS} ms each way at ${RATE_MBIT} Mbit/s`, () => {
    let wan: WanVolunteer;
    let client: Client;
    let cat: ClientChannel;

    beforeAll(async () => {
      wan = await startWanVolunteer({ delayMs: DELAY_MS, rateMbit: RATE_MBIT, serverCommand: '/bin/cat' });
      console.log(`WAN link: ${wan.impairments.summary}`);
      client = await connectClient(wan.volunteer.connectOptions());
      cat = await openExec(client, 'cat');
    }, 30_000);
    afterAll(async () => {
      client?.end();
      await wan?.stop();
    });

    it('runs sshd in its own network namespace, reached at the link address in ours', () => {
      expect(netnsOf(wan.volunteer.pid)).not.toBe(netnsOf(process.pid));
      expect(wan.volunteer.host).toBe(wan.link.hostAddress);
      expect(wan.volunteer.hostSpec).toBe(`${wan.volunteer.user}@${wan.link.hostAddress}:${wan.volunteer.port}`);
      expect(namespaces()).toContain(wan.link.namespace);
    });

    it('reports honestly what is real and what is emulated', () => {
      const { delay, rate, summary } = wan.impairments;
      expect([delay, rate]).toEqual(delay === 'netem' ? ['netem', 'netem'] : ['relay', 'tbf']);
      expect(summary).toContain(delay === 'netem' ? 'by netem (real)' : 'by a userspace relay (emulated');
      expect(summary).toContain(`rate ${RATE_MBIT} Mbit/s each way by ${rate} (real)`);
    });

    it('a round trip on an open channel takes about twice the delay', async () => {
      const rtt = await roundTripMs(cat);
      console.log(`measured RTT ${rtt.toFixed(1)} ms (delay ${DELAY_MS} ms each way)`);
      expect(rtt).toBeGreaterThanOrEqual(2 * DELAY_MS - 1);
      expect(rtt).toBeLessThan(2 * DELAY_MS + 40);
    });

    it.each(['down', 'up'] as const)('bulk transfer %s runs at about the rate', async (direction) => {
      const mbit = await transferMbit(client, direction, 4_000_000);
      console.log(`measured ${direction} ${mbit.toFixed(1)} Mbit/s (rate ${RATE_MBIT})`);
      expect(mbit).toBeGreaterThan(RATE_MBIT * 0.5);
      expect(mbit).toBeLessThan(RATE_MBIT * 1.15);
    }, 20_000);

    it('lossBurst(): nothing gets through during the burst; the connection recovers after it', async () => {
      const burst = wan.lossBurst(1500);
      expect(await echoWithin(cat, 1000)).toBe(false);
      await burst;
      // TCP retransmits (its backoff may add a few seconds); the byte arrives, the session lives on.
      await new Promise((resolve) => cat.once('data', resolve));
      expect(await roundTripMs(cat, 3)).toBeLessThan(2 * DELAY_MS + 200);
    }, 20_000);

    it('stall(): the link stops moving, loses nothing, and delivers what it held when it moves again', async () => {
      const stall = wan.stall(1500);
      expect(await echoWithin(cat, 1000)).toBe(false);
      await stall;
      expect(await echoWithin(cat, 2000)).toBe(true);
      await expect(execText(client, 'echo after')).resolves.toMatchObject({ stdout: 'after\n' });
    }, 20_000);
  });

  test('random loss is applied to real packets (nft counters) or reported as not applied; data arrives intact', async () => {
    const wan = await startWanVolunteer({ delayMs: 5, rateMbit: 50, lossPercent: 3, subsystem: false });
    try {
      const client = await connectClient(wan.volunteer.connectOptions());
      const channel = await openExec(client, 'head -c 3000000 /dev/zero');
      const chunks: Buffer[] = [];
      channel.on('data', (chunk: Buffer) => chunks.push(chunk));
      await new Promise((resolve) => channel.once('close', resolve));
      client.end();
      const got = Buffer.concat(chunks);
      expect(got.length).toBe(3_000_000);
      expect(got.equals(Buffer.alloc(3_000_000))).toBe(true);
      const counters = await wan.lossCounters();
      if (wan.impairments.loss === 'nft') {
        console.log(`nft loss counters: ${JSON.stringify(counters)}`);
        expect(counters!.seen).toBeGreaterThan(100);
        expect(counters!.dropped / counters!.seen).toBeGreaterThan(0.01);
        expect(counters!.dropped / counters!.seen).toBeLessThan(0.08);
      } else if (wan.impairments.loss === 'unavailable') {
        expect(wan.impairments.summary).toMatch(/loss 3% NOT APPLIED \(no sch_netem, and nft /);
        expect(counters).toBeUndefined();
      } else {
        expect(wan.impairments.loss).toBe('netem');
      }
    } finally {
      await wan.stop();
    }
  }, 30_000);

  test('stop() leaves no namespace, veth, qdisc or process behind', async () => {
    const wan = await startWanVolunteer({ subsystem: false });
    const client = await connectClient(wan.volunteer.connectOptions());
    const channel = await openExec(client, 'exec sleep 60');
    const pids = wan.volunteer.processes();
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await wan.stop();
    channel.close();
    client.end();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(namespaces()).not.toContain(wan.link.namespace);
    expect(links()).not.toContain(wan.link.hostVeth);
    expect(runToolSync(['ip', '-4', '-o', 'addr', 'show']).stdout).not.toContain(wan.link.hostAddress);
  }, 30_000);

  test('a start that fails (sshd cannot run) removes what it had made', async () => {
    const before = namespaces();
    await expect(startWanVolunteer({ sshdPath: '/nonexistent/sshd' })).rejects.toThrow(/sshd did not start/);
    expect(namespaces()).toBe(before);
    expect(links()).not.toMatch(new RegExp(`sw${process.pid}-\\d+h`));
  }, 30_000);

  test('a test process that exits without stop() leaves nothing: the exit hook removes its links', async () => {
    const { buildSync } = await import('esbuild');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { dirname, join } = await import('node:path');
    const work = mkdtempSync(join(tmpdir(), 'sshcc-wan-exit-'));
    try {
      const bundle = join(work, 'testkit.js');
      buildSync({ entryPoints: [join(__dirname, '..', 'index.ts')], bundle: true, platform: 'node', external: ['ssh2'], outfile: bundle, logLevel: 'silent' });
      const child = `const tk = require(process.argv[1]);
        tk.startWanVolunteer({ subsystem: false }).then((w) => { console.log(JSON.stringify({ ns: w.link.namespace, veth: w.link.hostVeth, pid: w.volunteer.pid })); process.exit(0); });`;
      const env = { ...process.env, NODE_PATH: dirname(dirname(require.resolve('ssh2/package.json'))) };
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['-e', child, bundle], { env, timeout: 20_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out))),
      );
      const left = JSON.parse(stdout) as { ns: string; veth: string; pid: number };
      expect(left.ns).toMatch(/^sshcc-wan-\d+-0$/);
      expect(isAlive(left.pid)).toBe(false);
      expect(namespaces()).not.toContain(left.ns);
      expect(links()).not.toContain(left.veth);
      expect(existsSync(`/run/netns/${left.ns}`)).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 30_000);
}
