// The admin's cap across accounts: at most `cap` compiles at once from every account, coordinated by
// files in one directory that all of them may write. No process of another account is trusted to run a
// coordinator, so each waits for itself:
//
// A job takes a ticket, a file `t-<n>-<pid>-<start>`: n is one above every ticket it saw, and the file is
// kept only if no other ticket with n or above appeared meanwhile (else it is removed and a new one
// taken), so tickets are strictly ordered and a later one always sees an earlier one. The job runs once
// fewer than `cap` live tickets are below its own. A ticket's name says whose it is (pid and start time),
// so a ticket of a dead process (a SIGKILLed server) is not counted and anyone may remove it: no
// other process can ever have the same name, so removing it cannot remove a live one.
// Waiting is fs.watch on the directory (a ticket removed) and a timer for holders that died without
// removing theirs; FIFO across accounts.
import { openSync, closeSync, readdirSync, unlinkSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive, processStart } from './process-start';

/** How often a waiting job looks again when no file changed: a holder that died cannot say so. */
export const SHARED_RECHECK_MS = 1000;
/** Tickets taken at the same moment by two jobs are both dropped; after this many rounds, give up. */
const MAX_TICKET_ROUNDS = 64;

interface Ticket {
  readonly n: number;
  readonly pid: number;
  readonly start: string;
  readonly name: string;
}

const TICKET = /^t-(\d{1,15})-(\d{1,10})-(\d{1,20})$/;

function tickets(dir: string): Ticket[] {
  return readdirSync(dir).flatMap((name) => {
    const match = TICKET.exec(name);
    return match ? [{ n: Number(match[1]), pid: Number(match[2]), start: match[3] as string, name }] : [];
  });
}

export type SharedSlot = { readonly granted: true; readonly release: () => void } | { readonly granted: false; readonly why: string };

/** Waits (at most `maxWaitMs`, or until `signal`) for one of the `cap` slots in `dir`. */
export async function acquireSharedSlot(dir: string, cap: number, maxWaitMs: number, signal: AbortSignal): Promise<SharedSlot> {
  if (cap === 0) return { granted: false, why: 'the machine-wide cap is 0' };
  const start = processStart('self') ?? '0';
  const mine = await takeTicket(dir, start);
  const path = join(dir, mine.name);
  const release = (): void => {
    try {
      unlinkSync(path);
    } catch {
      // Already gone (someone thought us dead): nothing more to free.
    }
  };
  const deadline = Date.now() + maxWaitMs;
  let watcher: FSWatcher | null = null;
  try {
    for (;;) {
      if (ahead(dir, mine) < cap) return { granted: true, release };
      if (signal.aborted) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      watcher ??= watch(dir, { persistent: false });
      await changeOrTimeout(watcher, Math.min(left, SHARED_RECHECK_MS), signal);
    }
  } catch (err) {
    release();
    throw err;
  } finally {
    watcher?.close();
  }
  release();
  return { granted: false, why: `the machine-wide cap of ${cap} slots stayed full` };
}

/** Live tickets below `mine`; dead ones met on the way are removed. */
function ahead(dir: string, mine: Ticket): number {
  let count = 0;
  for (const ticket of tickets(dir)) {
    if (ticket.n >= mine.n) continue;
    if (processAlive(ticket.pid, ticket.start)) count++;
    else removeQuietly(join(dir, ticket.name));
  }
  return count;
}

async function takeTicket(dir: string, start: string): Promise<Ticket> {
  for (let round = 0; round < MAX_TICKET_ROUNDS; round++) {
    const n = tickets(dir).reduce((max, t) => Math.max(max, t.n), 0) + 1;
    const ticket: Ticket = { n, pid: process.pid, start, name: `t-${n}-${process.pid}-${start}` };
    closeSync(openSync(join(dir, ticket.name), 'wx', 0o644));
    if (!tickets(dir).some((t) => t.name !== ticket.name && t.n >= n)) return ticket;
    removeQuietly(join(dir, ticket.name));
    // Two jobs took the same number: both step back, for a random moment so they do not meet again.
    await sleep(Math.random() * 5);
  }
  throw new Error(`could not take a ticket in ${dir}: too many jobs took the same one`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already, or another account's in a sticky dir: a dead ticket is not counted either way.
  }
}

function changeOrTimeout(watcher: FSWatcher, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      watcher.off('change', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    watcher.on('change', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
