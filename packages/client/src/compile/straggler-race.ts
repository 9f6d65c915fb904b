// One remote attempt, run a second time on a faster host when the queue offers one (core's
// pickDuplicate; ARCHITECTURE.md, "Placement"): whichever answer comes first is the attempt's, the
// other run is cancelled. Both runs compile the same source with the same compiler, so either object
// is the right one, and only the winner's outputs are ever written.
import type { JobResult } from '@sshcc/protocol';
import type { RemoteGrant } from '../queue';

/** The abort reason of the run that lost: its channel was cancelled in step and goes back to the pool. */
export class DuplicateLost extends Error {
  constructor(winner: string) {
    super(`answered first by ${winner}`);
    this.name = 'DuplicateLost';
  }
}

/** A started run: its slot, its cancel, its answer, when its worker was in hand. */
export interface RaceRun {
  readonly grant: RemoteGrant;
  readonly stop: AbortController;
  readonly answer: Promise<JobResult>;
  readonly timing: { workerAt: number };
}

export interface RaceWinner {
  readonly grant: RemoteGrant;
  readonly result: JobResult;
  readonly workerAt: number;
  /** The run that lost, by host, when there was a second run. */
  readonly loser: string | null;
}

type Settled = { readonly ok: true; readonly result: JobResult } | { readonly ok: false; readonly error: unknown };

function settle(answer: Promise<JobResult>): Promise<Settled> {
  return answer.then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Only a compile that ran is an answer; anything else from one run leaves the other to answer. */
function answered(s: Settled): s is { ok: true; result: JobResult } {
  return s.ok && s.result.kind === 'compiled';
}

/**
 * The first run's outcome, unless `second` resolves with a started second run before it ends; then the
 * first compiled answer of the two. The loser is cancelled (DuplicateLost) and its slot released with no
 * timing: a run cut short says nothing of its host's speed. When neither compiles, the first run's
 * outcome stands (its failure goes through the failure table) and the second's slot is released. The
 * caller releases the winner's slot. `stopOffering` is called once the race is decided either way.
 */
export async function raceRuns(first: RaceRun, second: Promise<RaceRun>, stopOffering: () => void): Promise<RaceWinner> {
  const firstDone = settle(first.answer);
  const early = await Promise.race([firstDone.then((s) => ({ s, run: null })), second.then((run) => ({ s: null, run }))]);
  if (early.run === null) {
    stopOffering();
    return unwrap(first, early.s as Settled, null);
  }
  stopOffering();
  const dup = early.run;
  const secondDone = settle(dup.answer);
  const next = await Promise.race([firstDone.then((s) => ({ who: 'first' as const, s })), secondDone.then((s) => ({ who: 'second' as const, s }))]);
  const [winner, loser, loserDone] = next.who === 'first' ? [first, dup, secondDone] : [dup, first, firstDone];
  if (answered(next.s)) {
    loser.stop.abort(new DuplicateLost(winner.grant.hostId));
    await loserDone;
    loser.grant.release();
    return { grant: winner.grant, result: next.s.result, workerAt: winner.timing.workerAt, loser: loser.grant.hostId };
  }
  // The run that ended first gave no answer: the other one decides.
  const other = await loserDone;
  if (next.who === 'first' && answered(other)) {
    first.grant.release();
    return { grant: dup.grant, result: other.result, workerAt: dup.timing.workerAt, loser: first.grant.hostId };
  }
  dup.grant.release();
  return unwrap(first, next.who === 'first' ? next.s : other, null);
}

function unwrap(run: RaceRun, s: Settled, loser: string | null): RaceWinner {
  if (!s.ok) throw s.error;
  return { grant: run.grant, result: s.result, workerAt: run.timing.workerAt, loser };
}
