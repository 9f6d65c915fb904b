// An sshcc-server's line to its account's slot coordinator: one socket for the server's life (its jobs
// come one after another on its channel), opened at the first use. No coordinator listening: this server
// starts one and waits for it to say it is ready (another server may have started one first; either way
// one listens then). A coordinator that dies is replaced at the next use, and the slot this server holds
// is counted by the new one at once (`adopt`).
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { lineReader, parseAnswer, type CoordinatorAnswer, type CoordinatorRequest, type SlotCountsMessage } from './coordinator-messages';

/** Starting Node and listening; far more than that means it will not come. */
const COORDINATOR_START_MS = 10_000;

export interface SlotLinkOptions {
  readonly address: string;
  /** argv of a coordinator for this account (this server's own script with `--slots-coordinator`). */
  readonly coordinator: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

type Pending = (answer: CoordinatorAnswer) => void;

export class SlotLink {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  /** Per id, the questions asked and not yet answered: an id's answers come in the order it asked. */
  private readonly pending = new Map<number, { resolve: Pending; reject: (err: Error) => void }[]>();
  /** Ids of slots held now: told to a new coordinator should the one that granted them die. */
  private readonly held = new Set<number>();
  private lastId = 0;
  private closed = false;

  constructor(private readonly options: SlotLinkOptions) {}

  /** Asks for a slot; 'granted' or 'busy'. Aborting gives up the wait (or the slot, if it came meanwhile). */
  async acquire(client: string, wait: boolean, signal: AbortSignal): Promise<{ readonly id: number; readonly answer: CoordinatorAnswer }> {
    const id = ++this.lastId;
    const onAbort = (): void => void this.release(id).catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const answer = await this.ask({ op: 'acquire', id, client, wait });
      if (answer.answer === 'granted') this.held.add(id);
      if (signal.aborted && answer.answer === 'granted') await this.release(id);
      return { id, answer };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async release(id: number): Promise<SlotCountsMessage> {
    this.held.delete(id);
    return this.ask({ op: 'release', id });
  }

  status(): Promise<SlotCountsMessage> {
    return this.ask({ op: 'status', id: ++this.lastId });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  /**
   * Asks and waits for the answer. A coordinator that went away meanwhile (it ended idle as this server
   * connected, or was killed) is replaced and asked once more: the slots this server holds are adopted
   * by the new one first, so the count stays whole.
   */
  private async ask(request: CoordinatorRequest, again = true): Promise<CoordinatorAnswer> {
    const socket = await this.open();
    try {
      return await new Promise((resolve, reject) => {
        if (socket.destroyed) return reject(new Error('the slot coordinator went away'));
        const asked = this.pending.get(request.id) ?? [];
        asked.push({ resolve, reject });
        this.pending.set(request.id, asked);
        socket.write(`${JSON.stringify(request)}\n`);
      });
    } catch (err) {
      if (!again) throw err;
      return this.ask(request, false);
    }
  }

  private open(): Promise<Socket> {
    if (this.socket !== null && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= this.connectOrStart().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connectOrStart(): Promise<Socket> {
    let socket: Socket;
    try {
      socket = await connectTo(this.options.address);
    } catch {
      await startCoordinator(this.options.coordinator, this.options.env);
      socket = await connectTo(this.options.address);
    }
    // Closed while connecting (the server's input ended first): an open link would keep the server alive
    // for good, which the fuzzer found.
    if (this.closed) {
      socket.destroy();
      throw new Error('the slot link is closed');
    }
    const feed = lineReader((line) => {
      const answer = parseAnswer(line);
      if (answer === null) return void socket.destroy();
      const asked = this.pending.get(answer.id);
      const waiter = asked?.shift();
      if (asked?.length === 0) this.pending.delete(answer.id);
      waiter?.resolve(answer);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!feed(chunk)) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      const lost = new Error('the slot coordinator went away');
      for (const asked of this.pending.values()) for (const { reject } of asked) reject(lost);
      this.pending.clear();
    });
    // Slots a dead coordinator had granted are still in use here.
    for (const id of this.held) socket.write(`${JSON.stringify({ op: 'adopt', id } satisfies CoordinatorRequest)}\n`);
    this.socket = socket;
    return socket;
  }
}

function connectTo(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Starts a coordinator, detached from this session, and waits until it listens (or found another that does). */
function startCoordinator(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env });
    const timer = setTimeout(() => done(new Error('the slot coordinator did not start')), COORDINATOR_START_MS);
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.unref();
      if (err) reject(err);
      else resolve();
    };
    child.stdout.once('data', () => done());
    child.once('error', (err) => done(err));
    child.once('exit', (code) => done(code === 0 ? undefined : new Error(`the slot coordinator exited with ${code}`)));
  });
}
