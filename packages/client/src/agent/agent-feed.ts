import { EventFeed, type FeedEvent } from '../events';
import { LiveView, type LiveUpdate } from '../views/monitor/live-view';
import { StatsKeeper } from '../views/stats/stats-keeper';
import { RecentJobs } from '../views/trace/recent-jobs';
import type { AgentReports } from './types';
import type { ReportValue } from '../wire/messages';

export interface AgentFeedOptions {
  /** `$SSHCC_DIR/stats.json`. */
  readonly statsFile: string;
  readonly log?: (line: string) => void;
  readonly recentJobs?: number;
}

export interface AgentFeed {
  /** Give this to the CompileRouter: the jobs report into it. */
  readonly feed: EventFeed;
  /** Give this to the agent: the CLI's stats, jobs and watch requests read it. */
  readonly reports: AgentReports;
  /** Writes the stats that are not on disk yet. */
  close(): Promise<void>;
}

/** What `sshcc jobs` requests get: the recent finished jobs (the trace's input). */
export interface JobsReport {
  readonly type: 'jobs';
  readonly at: number;
  readonly jobs: ReturnType<RecentJobs['list']>;
}

/**
 * The agent's event feed and its three folds: the persistent stats, the ring of recent jobs and the
 * live view. Each `sshcc mon` gets the live view's snapshot, then the feed's events in batches (one
 * write per turn of the event loop, however many jobs changed in it).
 */
export function startAgentFeed(options: AgentFeedOptions): AgentFeed {
  const feed = new EventFeed();
  const live = new LiveView();
  const recent = new RecentJobs(options.recentJobs);
  const stats = new StatsKeeper({ file: options.statsFile, ...(options.log ? { log: options.log } : {}) });
  feed.subscribe((event) => {
    const finished = live.apply(event);
    if (finished !== null) {
      recent.add(finished);
      stats.countJob(finished);
    }
    if (event.type === 'host-state' && event.state === 'backoff') stats.countBackoff(event.host);
    if (event.type === 'pack') stats.countPackPush(event, event.at);
    if (event.type === 'packs-held') stats.notePacksHeld(event.host, event.packs);
  });
  const reports: AgentReports = {
    stats: () => stats.current(),
    zeroStats: () => stats.zero(),
    jobs: (): JobsReport => ({ type: 'jobs', at: feed.now(), jobs: recent.list() }),
    watch: (send: (message: ReportValue) => void) => {
      let pending: FeedEvent[] = [];
      let stopped = false;
      send(live.snapshot(feed.now()));
      const unsubscribe = feed.subscribe((event) => {
        pending.push(event);
        if (pending.length > 1) return;
        setImmediate(() => {
          if (stopped) return;
          const update: LiveUpdate = { type: 'events', events: pending };
          pending = [];
          send(update);
        });
      });
      return () => {
        stopped = true;
        pending = [];
        unsubscribe();
      };
    },
  };
  return { feed, reports, close: () => stats.flush() };
}
