export { RecentJobs, RECENT_JOBS } from './recent-jobs';
export { chromeTrace, type ChromeTrace, type TraceEvent } from './chrome-trace';
export { parseSince } from './parse-since';
