// The CLI's report and watch requests against an agent in this process, with the real feed behind it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedMessage } from '../views/monitor/live-view';
import { removeDir } from '../thin/client-test-fixture';
import { encodeRequestHeader } from '../wire/compile-request';
import { localAgentPaths } from '../wire/local-agent-paths';
import { startAgentFeed, type AgentFeed } from './agent-feed';
import { queryReport, watchAgent } from './report-client';
import { MAX_WATCH_BACKLOG_BYTES } from './serve-connection';
import { startAgent } from './start-agent';
import type { Agent, AgentPaths } from './types';
import type { CompileRequest } from '../wire/messages';

let root: string;
let paths: AgentPaths;
let feed: AgentFeed;
let agent: Agent;
const logged: string[] = [];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'sshcc-feed-'));
  paths = localAgentPaths({ SSHCC_DIR: join(root, 'dir') });
  feed = startAgentFeed({ statsFile: join(root, 'dir', 'stats.json') });
  const result = await startAgent({ paths, idleTimeoutMs: 0, reports: feed.reports, log: (line) => logged.push(line) });
  if (!result.started) throw new Error('no agent');
  agent = result.agent;
});

afterEach(async () => {
  await agent.close();
  await feed.close();
  removeDir(root);
  logged.length = 0;
});

function request(output: string): CompileRequest {
  return { argv: ['gcc', '-c', 'x.c', '-o', output], argv0: 'sshcc', cwd: root, env: {}, umask: 0o22, clientExe: '' };
}

/** A job that ran locally for a link, start to end. */
function linkJob(output: string): void {
  const job = feed.feed.begin(request(output));
  job.countLocal('link', false);
  job.end({ kind: 'exec', argv: ['/usr/bin/gcc'] });
}

function nextMessage(messages: FeedMessage[], count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = setInterval(() => {
      if (messages.length >= count) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
}

describe('the agent\'s report requests', () => {
  it('answers stats, then zeroes them on request and on disk', async () => {
    linkJob('a');
    linkJob('b');
    const stats = await queryReport(paths, 'stats');
    expect(stats).toMatchObject({ agent: true, value: { version: 1, jobs: { total: 2, local: 2, localByReason: { link: 2 } } } });
    const zeroed = await queryReport(paths, 'zero-stats');
    expect(zeroed).toMatchObject({ agent: true, value: { jobs: { total: 0 } } });
    expect(JSON.parse(readFileSync(join(root, 'dir', 'stats.json'), 'utf8')).jobs.total).toBe(0);
  });

  it('counts toolchain pushes and the packs a hello listed into the stats', async () => {
    const [held, listed] = ['a'.repeat(64), 'b'.repeat(64)];
    feed.feed.packsHeld('h1', [listed]);
    const push = { host: 'h1', pack: held, files: 18, filesSent: null, wireBytes: null, ms: null, message: 'pushing' };
    feed.feed.pack({ ...push, state: 'pushing' });
    feed.feed.pack({ ...push, state: 'held', filesSent: 18, wireBytes: 19_900_000, ms: 8100, message: 'sent 18 of 18 files' });
    feed.feed.pack({ host: 'h2', pack: '', state: 'failed', files: 0, filesSent: null, wireBytes: null, ms: 3, message: 'it is arm64, this machine x64' });
    const stats = await queryReport(paths, 'stats');
    expect(stats).toMatchObject({
      value: {
        hosts: {
          h1: { packsPushed: 1, packWireBytes: 19_900_000, packPushMs: 8100, packsFailed: 0, packsHeld: [listed, held] },
          h2: { packsPushed: 0, packsFailed: 1, lastPackFailure: 'it is arm64, this machine x64', packsHeld: [] },
        },
      },
    });
  });

  it('answers the recent finished jobs', async () => {
    linkJob('a');
    feed.feed.begin(request('still-running'));
    const jobs = await queryReport(paths, 'jobs');
    expect(jobs).toMatchObject({ agent: true, value: { type: 'jobs', jobs: [{ id: 1, label: 'a', result: 'local', reason: 'link' }] } });
  });

  it('says there is no agent when none answers', async () => {
    await agent.close();
    await expect(queryReport(paths, 'stats')).resolves.toEqual({ agent: false });
    await expect(watchAgent(paths, () => undefined)).resolves.toBeNull();
  });

  it('answers null from an agent that keeps no feed', async () => {
    await agent.close();
    const bare = await startAgent({ paths, idleTimeoutMs: 0 });
    if (!bare.started) throw new Error('no agent');
    try {
      await expect(queryReport(paths, 'stats')).resolves.toEqual({ agent: true, value: null });
    } finally {
      await bare.agent.close();
    }
  });
});

describe('the agent\'s live feed', () => {
  it('sends its state first, then the events as they happen, batched', async () => {
    const running = feed.feed.begin(request('running.o'));
    const messages: FeedMessage[] = [];
    const watch = await watchAgent(paths, (message) => messages.push(message as FeedMessage));
    if (watch === null) throw new Error('no agent');
    await nextMessage(messages, 1);
    expect(messages[0]).toMatchObject({ type: 'snapshot', jobs: [{ id: 1, label: 'running.o' }], finished: 0 });
    linkJob('a');
    linkJob('b');
    await nextMessage(messages, 2);
    expect(messages[1]).toMatchObject({ type: 'events' });
    const types = messages.slice(1).flatMap((m) => (m.type === 'events' ? m.events.map((e) => e.type) : []));
    expect(types).toEqual(['job-start', 'job-end', 'job-start', 'job-end']);
    expect(messages.length).toBe(2); // one write for all four
    running.end(null, 'cancelled');
    watch.close();
    await expect(watch.ended).resolves.toBe('closed');
  });

  it('unsubscribes a monitor once it has gone', async () => {
    const before = feed.feed.subscribers;
    const watch = await watchAgent(paths, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(feed.feed.subscribers).toBe(before + 1);
    watch?.close();
    await watch?.ended;
    while (agent.status().connections > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(feed.feed.subscribers).toBe(before);
    linkJob('after');
    await expect(queryReport(paths, 'stats')).resolves.toMatchObject({ value: { jobs: { total: 1 } } });
  });

  it('tells a monitor the agent stopped', async () => {
    const watch = await watchAgent(paths, () => undefined);
    await agent.close();
    await expect(watch?.ended).resolves.toBe('agent-gone');
  });

  it('drops a monitor that does not read, rather than buffering without end', async () => {
    const socket = connect(paths.socket);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(encodeRequestHeader('watch', 0));
    socket.pause();
    const closed = new Promise((resolve) => socket.once('close', resolve));
    // Each job's events carry a long label; far more than the backlog limit is produced.
    const label = 'x'.repeat(64 * 1024);
    for (let i = 0; i < (2 * MAX_WATCH_BACKLOG_BYTES) / label.length + 64; i++) {
      linkJob(label);
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.resume();
    socket.on('data', () => undefined);
    await closed;
    expect(logged).toContain('a monitor stopped reading its feed; connection closed');
  });
});
