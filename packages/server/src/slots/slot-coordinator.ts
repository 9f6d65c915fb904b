// The account's one slot coordinator: a long-lived process (started by the first sshcc-server that finds
// none) that every sshcc-server of the account asks for a slot before it runs a compiler. It holds the
// count and the fair queue in memory. A slot is held by a socket: when a server exits, however it
// exits (SIGKILL included), the kernel closes its socket and its slots are free. It exits once no server
// has been connected for a while.
import { createServer, type Server, type Socket } from 'node:net';
import { decideSlot, FairQueue } from '@sshcc/core';
import { MAX_SLOT_WAIT_MS } from '@sshcc/protocol';
import { lineReader, parseRequest, type CoordinatorAnswer, type CoordinatorRequest } from './coordinator-messages';

/** With no server connected this long, the coordinator exits (the next server starts another). */
export const COORDINATOR_IDLE_MS = 10 * 1000;

interface Waiter {
  readonly peer: Peer;
  readonly id: number;
  readonly client: string;
  readonly timer: NodeJS.Timeout;
}

interface Peer {
  readonly socket: Socket;
  readonly held: Set<number>;
  readonly waiting: Map<number, Waiter>;
}

export interface CoordinatorOptions {
  /** The account's slots now (server.json's `slots`); asked again when `watchConfig` reports a change. */
  readonly slots: () => number;
  /** Calls back on every change of the config; returns the stop function. */
  readonly watchConfig?: (changed: () => void) => () => void;
  readonly idleMs?: number;
  readonly maxWaitMs?: number;
}

export class SlotCoordinator {
  private cap: number;
  private busy = 0;
  private readonly queue = new FairQueue<Waiter>();
  private readonly peers = new Set<Peer>();
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly server: Server;
  private readonly stopWatching: () => void;
  readonly closed: Promise<void>;

  constructor(private readonly options: CoordinatorOptions) {
    this.cap = options.slots();
    this.server = createServer((socket) => this.accept(socket));
    this.closed = new Promise((resolve) => this.server.once('close', () => resolve()));
    this.stopWatching = options.watchConfig?.(() => this.setCap(options.slots())) ?? (() => undefined);
    this.closed.then(() => this.stopWatching(), () => undefined);
  }

  /** Listens at `address`; false when another coordinator already does. */
  listen(address: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
      this.server.listen(address, () => {
        this.armIdle();
        resolve(true);
      });
    });
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.idleTimer);
    for (const peer of this.peers) peer.socket.destroy();
    this.server.close();
  }

  private accept(socket: Socket): void {
    clearTimeout(this.idleTimer);
    const peer: Peer = { socket, held: new Set(), waiting: new Map() };
    this.peers.add(peer);
    const feed = lineReader((line) => {
      const request = parseRequest(line);
      if (request === null) socket.destroy();
      else this.handle(peer, request);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!feed(chunk)) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.drop(peer));
  }

  private handle(peer: Peer, request: CoordinatorRequest): void {
    switch (request.op) {
      case 'acquire': {
        const decision = decideSlot(this.counts(), request.wait ? 'wait' : 'decline');
        if (decision === 'grant') return this.grant(peer, request.id);
        if (decision === 'decline') return this.answer(peer, request.id, 'busy');
        const maxWaitMs = this.options.maxWaitMs ?? MAX_SLOT_WAIT_MS;
        const waiter: Waiter = { peer, id: request.id, client: request.client, timer: setTimeout(() => this.giveUp(waiter), maxWaitMs) };
        peer.waiting.set(request.id, waiter);
        this.queue.push(request.client, waiter);
        return;
      }
      case 'release': {
        const waiter = peer.waiting.get(request.id);
        // The wait is answered first, then the release: the server reads its answers in that order.
        if (waiter !== undefined) this.giveUp(waiter);
        else if (peer.held.delete(request.id)) this.busy--;
        this.pump();
        return this.answer(peer, request.id, 'done');
      }
      case 'adopt':
        if (!peer.held.has(request.id)) {
          peer.held.add(request.id);
          this.busy++;
        }
        return this.answer(peer, request.id, 'done');
      case 'status':
        return this.answer(peer, request.id, 'done');
    }
  }

  private grant(peer: Peer, id: number, queued = false): void {
    peer.held.add(id);
    this.busy++;
    this.answer(peer, id, 'granted', queued);
  }

  /** Hands the slots that are free to the queue, in its fair order. */
  private pump(): void {
    while (this.busy < this.cap && this.queue.size > 0) {
      const waiter = this.queue.shift() as Waiter;
      clearTimeout(waiter.timer);
      waiter.peer.waiting.delete(waiter.id);
      this.grant(waiter.peer, waiter.id, true);
    }
  }

  private giveUp(waiter: Waiter): void {
    this.unqueue(waiter);
    this.answer(waiter.peer, waiter.id, 'busy', true);
  }

  private unqueue(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.peer.waiting.delete(waiter.id);
    this.queue.remove(waiter.client, waiter);
  }

  private setCap(cap: number): void {
    this.cap = cap;
    // Draining: what waits will not get a slot here; it goes elsewhere now rather than after the wait.
    if (cap === 0) for (const peer of this.peers) for (const waiter of [...peer.waiting.values()]) this.giveUp(waiter);
    this.pump();
  }

  private drop(peer: Peer): void {
    this.peers.delete(peer);
    this.busy -= peer.held.size;
    peer.held.clear();
    for (const waiter of [...peer.waiting.values()]) this.unqueue(waiter);
    this.pump();
    this.armIdle();
  }

  private armIdle(): void {
    if (this.peers.size > 0 || this.stopped) return;
    clearTimeout(this.idleTimer);
    // The listening socket keeps the process alive; this only ends it.
    this.idleTimer = setTimeout(() => this.close(), this.options.idleMs ?? COORDINATOR_IDLE_MS).unref();
  }

  private counts(): { cap: number; busy: number; waiting: number } {
    return { cap: this.cap, busy: this.busy, waiting: this.queue.size };
  }

  private answer(peer: Peer, id: number, answer: CoordinatorAnswer['answer'], queued = false): void {
    const message: CoordinatorAnswer = { id, answer, ...this.counts(), ...(queued ? { queued } : {}) };
    if (!peer.socket.destroyed) peer.socket.write(`${JSON.stringify(message)}\n`);
  }
}
