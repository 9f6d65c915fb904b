import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Client } from 'ssh2';
import { connectClient, execText, startTcpProxy, startVolunteer, stopAll, type TcpProxy, type Volunteer } from '@sshcc/testkit';
import { settledWithin } from './settled-within';

describe('startTcpProxy in front of a volunteer', () => {
  let v: Volunteer;
  let proxy: TcpProxy;
  let client: Client | undefined;

  beforeAll(async () => {
    v = await startVolunteer({ subsystem: false });
  });
  beforeEach(async () => {
    proxy = await startTcpProxy({ targetPort: v.port });
  });
  afterEach(async () => {
    client?.end();
    client = undefined;
    await proxy.close();
  });
  afterAll(() => stopAll());

  it('forwards an SSH session both ways', async () => {
    client = await connectClient(v.connectOptions({ port: proxy.port }));
    await expect(execText(client, 'head -c 300000 /dev/zero | wc -c')).resolves.toMatchObject({ stdout: '300000\n' });
    await expect(execText(client, 'wc -c', Buffer.alloc(300_000, 7))).resolves.toMatchObject({ stdout: '300000\n' });
    expect(proxy.connectionCount).toBe(1);
  });

  it('pauseTraffic() stalls an open connection without closing it; resumeTraffic() lets it finish', async () => {
    client = await connectClient(v.connectOptions({ port: proxy.port }));
    let closed = false;
    client.once('close', () => (closed = true));
    proxy.pauseTraffic();
    const reply = execText(client, 'echo through');
    expect(await settledWithin(reply, 700)).toBe('pending');
    expect(closed).toBe(false);
    proxy.resumeTraffic();
    expect(await settledWithin(reply, 5000)).toEqual({ value: { stdout: 'through\n', stderr: '', code: 0 } });
  });

  it('pauseTraffic() also black-holes new connections', async () => {
    proxy.pauseTraffic();
    const ready = connectClient(v.connectOptions({ port: proxy.port, readyTimeout: 10_000 }));
    expect(await settledWithin(ready, 700)).toBe('pending');
    proxy.resumeTraffic();
    const settled = await settledWithin(ready, 5000);
    expect(settled).not.toBe('pending');
    if (settled !== 'pending') client = settled.value;
  });

  it('cutAll() drops open connections and keeps accepting new ones', async () => {
    client = await connectClient(v.connectOptions({ port: proxy.port }));
    const dropped = new Promise<void>((resolve) => client!.once('close', () => resolve()));
    proxy.cutAll();
    await dropped;
    client = await connectClient(v.connectOptions({ port: proxy.port }));
    await expect(execText(client, 'echo again')).resolves.toMatchObject({ stdout: 'again\n' });
    expect(proxy.connectionCount).toBe(2);
  });

  it('refuseNew() closes new connections before any byte and keeps the open ones going', async () => {
    client = await connectClient(v.connectOptions({ port: proxy.port }));
    proxy.refuseNew(true);
    await expect(connectClient(v.connectOptions({ port: proxy.port }))).rejects.toThrow();
    await expect(execText(client, 'echo still')).resolves.toMatchObject({ stdout: 'still\n' });
    proxy.refuseNew(false);
    const again = await connectClient(v.connectOptions({ port: proxy.port }));
    again.end();
    expect(proxy.connectionCount).toBe(2);
  });
});

describe('startTcpProxy with delayMs (a delay line in each direction)', () => {
  const DELAY_MS = 50;
  let echo: Server;
  let proxy: TcpProxy;
  let socket: Socket | undefined;

  beforeAll(async () => {
    // Echoes every byte back, and ends when the client ends: a stand-in peer with no latency of its own.
    echo = createServer({ allowHalfOpen: true }, (peer) => peer.pipe(peer));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startTcpProxy({ targetPort: (echo.address() as AddressInfo).port, delayMs: DELAY_MS });
  });
  afterEach(() => {
    socket?.destroy();
    socket = undefined;
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  async function open(): Promise<Socket> {
    const s = connect({ host: '127.0.0.1', port: proxy.port });
    s.setNoDelay(true);
    await once(s, 'connect');
    return s;
  }

  it('a round trip takes twice the delay', async () => {
    socket = await open();
    const s = socket;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      s.write('x');
      await once(s, 'data');
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    expect(times[0]).toBeGreaterThanOrEqual(2 * DELAY_MS - 1);
    expect(times[2]).toBeLessThan(2 * DELAY_MS + 60);
  });

  it('keeps throughput and order: 16 MiB come back intact far faster than one chunk per round trip', async () => {
    socket = await open();
    const s = socket;
    const sent = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < sent.length; i += 4) sent.writeUInt32LE(i, i);
    const started = performance.now();
    const received: Buffer[] = [];
    s.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = once(s, 'end');
    s.end(sent);
    await ended;
    const elapsed = performance.now() - started;
    expect(Buffer.concat(received).equals(sent)).toBe(true);
    // Stop-and-wait with 64 KiB chunks would need 256 round trips (25.6 s); a delay line needs about one.
    expect(received.length).toBeGreaterThan(16);
    expect(elapsed).toBeLessThan(5000);
  }, 20_000);

  it('pauseTraffic() holds bytes in flight without losing any; resumeTraffic() delivers them in order', async () => {
    socket = await open();
    const s = socket;
    const received: Buffer[] = [];
    s.on('data', (chunk: Buffer) => received.push(chunk));
    s.write('one,');
    proxy.pauseTraffic();
    s.write('two,');
    await new Promise((resolve) => setTimeout(resolve, 4 * DELAY_MS));
    const duringPause = Buffer.concat(received).toString();
    proxy.resumeTraffic();
    s.write('three');
    await waitUntil(() => Buffer.concat(received).toString() === 'one,two,three', 3000);
    expect(['', 'one,']).toContain(duringPause);
    expect(Buffer.concat(received).toString()).toBe('one,two,three');
  });
});

async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
