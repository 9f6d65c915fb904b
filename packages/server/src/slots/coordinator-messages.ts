// What an sshcc-server and its account's slot coordinator say to each other: one JSON object a line.
// Both ends are the same account's sshcc-server, but each still checks what it reads.

/** Server → coordinator. `id` is the server's own, echoed in the answer. */
export type CoordinatorRequest =
  | { readonly op: 'acquire'; readonly id: number; readonly client: string; readonly wait: boolean }
  /** Frees a held slot, or gives up waiting for one. */
  | { readonly op: 'release'; readonly id: number }
  /** A slot this server held when its previous coordinator died: counted by the new one at once. */
  | { readonly op: 'adopt'; readonly id: number }
  | { readonly op: 'status'; readonly id: number };

export interface SlotCountsMessage {
  readonly cap: number;
  readonly busy: number;
  readonly waiting: number;
}

/** Coordinator → server. */
export interface CoordinatorAnswer extends SlotCountsMessage {
  readonly id: number;
  readonly answer: 'granted' | 'busy' | 'done';
  /** The answer to an acquire came after a wait in the queue (else at once: no time spent waiting). */
  readonly queued?: boolean;
}

const OPS = new Set(['acquire', 'release', 'adopt', 'status']);
const ANSWERS = new Set(['granted', 'busy', 'done']);
const whole = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

export function parseRequest(line: string): CoordinatorRequest | null {
  const value = parseObject(line);
  if (value === null || !OPS.has(value.op as string) || !whole(value.id)) return null;
  if (value.op === 'acquire' && (typeof value.client !== 'string' || value.client.length > 64 || typeof value.wait !== 'boolean')) return null;
  return value as unknown as CoordinatorRequest;
}

export function parseAnswer(line: string): CoordinatorAnswer | null {
  const value = parseObject(line);
  if (value === null || !ANSWERS.has(value.answer as string) || !whole(value.id) || !whole(value.cap) || !whole(value.busy) || !whole(value.waiting)) return null;
  return value as unknown as CoordinatorAnswer;
}

function parseObject(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Splits a socket's data into lines; a line longer than any message is a broken peer. */
export function lineReader(onLine: (line: string) => void): (chunk: Buffer) => boolean {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    let at: number;
    while ((at = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, at));
      pending = pending.slice(at + 1);
    }
    return pending.length <= 4096;
  };
}
