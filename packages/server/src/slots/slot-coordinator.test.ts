// The coordinator on a real socket, driven as sshcc-server drives it (slot-link.ts), in this process.
import { randomBytes } from 'node:crypto';
import { SlotCoordinator } from './slot-coordinator';
import { SlotLink } from './slot-link';

const coordinators: SlotCoordinator[] = [];
const links: SlotLink[] = [];
afterEach(() => {
  for (const link of links.splice(0)) link.close();
  for (const coordinator of coordinators.splice(0)) coordinator.close();
});

async function start(slots: { cap: number }, maxWaitMs = 60_000): Promise<{ address: string; link: () => SlotLink; setCap: (cap: number) => void }> {
  const address = `\0sshcc-slots-test-${randomBytes(8).toString('hex')}`;
  let changed = (): void => undefined;
  const coordinator = new SlotCoordinator({ slots: () => slots.cap, watchConfig: (notify) => ((changed = notify), () => undefined), maxWaitMs });
  coordinators.push(coordinator);
  expect(await coordinator.listen(address)).toBe(true);
  const link = (): SlotLink => {
    // No coordinator may be started from a test: one is listening.
    const made = new SlotLink({ address, coordinator: ['false'], env: {} });
    links.push(made);
    return made;
  };
  return {
    address,
    link,
    setCap: (cap) => {
      slots.cap = cap;
      changed();
    },
  };
}

const never = new AbortController().signal;

describe('SlotCoordinator', () => {
  it('grants up to the cap at once, then serves the queue round-robin between clients as slots free', async () => {
    const { link } = await start({ cap: 1 });
    const holder = link();
    const first = await holder.acquire('big', true, never);
    expect(first.answer).toMatchObject({ answer: 'granted', cap: 1, busy: 1, waiting: 0 });
    // One server per job, as on a volunteer: each sshcc-server process has its own link.
    const order: string[] = [];
    const ask = (client: string, n: number) => {
      const own = link();
      return own.acquire(client, true, never).then(async ({ id, answer }) => {
        order.push(`${client}${n}`);
        expect(answer).toMatchObject({ answer: 'granted', queued: true });
        await own.release(id);
      });
    };
    const waits: Promise<void>[] = [];
    for (let n = 1; n <= 4; n++) waits.push(ask('big', n));
    // Queued after the big client's four: round-robin still serves it second.
    await waitForWaiting(holder, 4);
    for (let n = 1; n <= 2; n++) waits.push(ask('small', n));
    await waitForWaiting(holder, 6);
    await holder.release(first.id);
    await Promise.all(waits);
    expect(order).toEqual(['big1', 'small1', 'big2', 'small2', 'big3', 'big4']);
    expect(await holder.status()).toMatchObject({ cap: 1, busy: 0, waiting: 0 });
  });

  it("frees a server's slot and its waits the moment its socket closes (a SIGKILLed server)", async () => {
    const { link } = await start({ cap: 1 });
    const doomed = link();
    await doomed.acquire('a', true, never);
    const other = link();
    const waiting = other.acquire('b', true, never);
    await waitForWaiting(other, 1);
    doomed.close();
    expect((await waiting).answer).toMatchObject({ answer: 'granted', busy: 1, waiting: 0 });
  });

  it('declines at once a client that has another place, and after the longest wait one that has none', async () => {
    const { link } = await start({ cap: 1 }, 200);
    await link().acquire('a', true, never);
    expect((await link().acquire('b', false, never)).answer).toMatchObject({ answer: 'busy', busy: 1, waiting: 0 });
    expect((await link().acquire('b', true, never)).answer).toMatchObject({ answer: 'busy', queued: true, busy: 1, waiting: 0 });
  });

  it('draining (cap 0): what waits is declined, what runs keeps its slot, nothing new is granted', async () => {
    const { link, setCap } = await start({ cap: 1 });
    const running = link();
    const held = await running.acquire('a', true, never);
    const waiting = link().acquire('b', true, never);
    await waitForWaiting(running, 1);
    setCap(0);
    expect((await waiting).answer).toMatchObject({ answer: 'busy', cap: 0, busy: 1 });
    expect((await link().acquire('c', true, never)).answer).toMatchObject({ answer: 'busy', cap: 0 });
    expect(await running.release(held.id)).toMatchObject({ cap: 0, busy: 0 });
  });

  it('a waiting job whose client gave up leaves the queue; a raised cap serves the queue at once', async () => {
    const { link, setCap } = await start({ cap: 1 });
    const holder = link();
    await holder.acquire('a', true, never);
    const controller = new AbortController();
    const gaveUp = link().acquire('b', true, controller.signal);
    const served = link().acquire('c', true, never);
    await waitForWaiting(holder, 2);
    controller.abort();
    expect((await gaveUp).answer).toMatchObject({ answer: 'busy' });
    expect(await holder.status()).toMatchObject({ busy: 1, waiting: 1 });
    setCap(2);
    expect((await served).answer).toMatchObject({ answer: 'granted', cap: 2, busy: 2, waiting: 0 });
  });
});

/** Until the coordinator counts `count` jobs waiting (the queue is filled by other links' messages). */
async function waitForWaiting(link: SlotLink, count: number): Promise<void> {
  for (;;) {
    if ((await link.status()).waiting === count) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
