// A scripted stretch of agent life for tests of the feed's folds (live view, stats, trace): five jobs
// that cover every path through the recorder, on a clock the script moves. Test-only.
import { SshccError } from '@sshcc/core';
import type { JobResult } from '@sshcc/protocol';
import type { CompileRequest } from '../wire/messages';
import type { CompileGrant } from '../queue';
import { EventFeed } from './event-feed';
import type { FeedEvent } from './feed-event';

export const SCENARIO_START = Date.UTC(2025, 4, 1, 10, 0, 0);

export function scenarioRequest(argv: string[]): CompileRequest {
  return { argv, argv0: 'sshcc', cwd: '/src', env: {}, umask: 0o022, clientExe: '' };
}

export function remoteResult(compileMs: number): JobResult {
  return {
    id: 1,
    kind: 'compiled',
    exitCode: 0,
    signal: null,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    message: '',
    timings: { receiveMs: 2, compileMs, totalMs: compileMs + 3 },
    cached: false,
    releaseMatch: null,
    mirrored: false,
    capacity: null,
    outputs: new Map(),
    transfer: { sentBytes: 1000, sentWireBytes: 200, receivedBytes: 3000, receivedWireBytes: 1000, sentMs: 2, answeredMs: compileMs + 3, doneMs: compileMs + 4 },
  };
}

function grant(hostId: string | null, local = hostId === null): Promise<CompileGrant> {
  const release = (): void => undefined;
  return Promise.resolve(local ? { kind: 'local', hostId, release } : { kind: 'remote', hostId: hostId as string, release });
}

const cpp = (): Promise<() => void> => Promise.resolve(() => undefined);
const ok = { kind: 'result', exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) } as const;

/**
 * Runs the script; returns the feed's events. Times are ms after SCENARIO_START.
 * - job 1 `prog`: a link, exec'd by the client; 0-1.
 * - job 2 `a.o`: cpp wait 0-10, preprocess 10-30, queue 30-40, h1 slot 0: send 40-45, compile 45-145,
 *   receive 145-150; ends 155.
 * - job 3 `b.o`: queue 30-40, h1 slot 1 fails (connect) 40-50, then h2 slot 0 50-100; failed over.
 * - h1 backs off at 50 for 1000 ms.
 * - job 4 `c.o`: fallback, compiled here in local slot 0, 160-260.
 * - job 5 `d.o`: cancelled while queued, 160-170.
 * - job 6 `e.o` is still compiling on h2 (sent at 310) and job 7 `f.o` still queued when the script ends.
 */
export async function runScenario(feed: EventFeed, clock: { now: number }): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  feed.subscribe((event) => events.push(event));
  const at = (ms: number): void => void (clock.now = SCENARIO_START + ms);
  at(0);
  feed.hosts({ hosts: [{ id: 'h1', slots: 2 }, { id: 'h2', slots: 1 }], cppSlots: 2, localSlots: 1 });
  const link = feed.begin(scenarioRequest(['gcc', 'a.o', 'b.o', '-o', 'prog']));
  const a = feed.begin(scenarioRequest(['gcc', '-c', 'a.c', '-o', 'a.o']));
  const b = feed.begin(scenarioRequest(['gcc', '-c', 'b.c', '-o', 'b.o']));
  const aCpp = a.cppSlot(cpp());
  at(1);
  link.countLocal('link', false);
  link.end({ kind: 'exec', argv: ['/usr/bin/gcc'] });
  at(10);
  const aRelease = await aCpp;
  at(30);
  aRelease();
  const aGrant = a.compileSlot(grant('h1'));
  const bGrant = b.compileSlot(grant('h1'));
  at(40);
  const aSlot = await aGrant;
  const bSlot = await bGrant;
  at(45);
  a.stage('sent');
  at(50);
  b.remoteFailed('connect');
  bSlot.release();
  feed.pool({ type: 'host-backoff', hostId: 'h1', error: new SshccError('connect', 'connection refused'), failures: 1, delayMs: 1000, retryAt: 0 });
  const bSlot2 = await b.compileSlot(grant('h2'));
  at(100);
  b.remoteDone(remoteResult(40), 'compiled');
  bSlot2.release();
  b.countRemote('h2', true);
  b.end(ok);
  at(145);
  a.stage('answered');
  at(150);
  a.remoteDone(remoteResult(98), 'compiled');
  aSlot.release();
  at(155);
  a.countRemote('h1', false);
  a.end(ok);
  at(160);
  const c = feed.begin(scenarioRequest(['gcc', '-c', 'c.c', '-o', 'c.o']));
  const d = feed.begin(scenarioRequest(['gcc', '-c', 'd.c', '-o', 'd.o']));
  const cSlot = await c.compileSlot(grant(null));
  void d.compileSlot(new Promise<CompileGrant>(() => undefined));
  at(170);
  d.end(null, 'cancelled');
  at(260);
  cSlot.release();
  c.countLocal('fallback', true);
  c.end(ok);
  at(300);
  const e = feed.begin(scenarioRequest(['g++', '-c', 'e.cc', '-o', 'e.o']));
  const f = feed.begin(scenarioRequest(['g++', '-c', 'f.cc', '-o', 'f.o']));
  await e.compileSlot(grant('h2'));
  at(310);
  e.stage('sent');
  void f.compileSlot(new Promise<CompileGrant>(() => undefined));
  return events;
}
