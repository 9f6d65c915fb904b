import type { Client } from 'ssh2';
import { connectClient, execText, startTcpProxy, startVolunteer, stopAll, type TcpProxy, type Volunteer } from '@sshcc/testkit';

async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<'pending' | { value: T }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
});
