export type { AttemptFigures, AttemptOutcome, CacheUse, FeedEvent, FeedListener, JobResultKind, PackPush, SlotRef } from './feed-event';
export { EventFeed, preciseNow } from './event-feed';
export { NO_JOB_EVENTS, type HostsConfig, type JobEvents, type JobRecorder } from './job-events';
export { applyJobEvent, isJobEvent, jobPhase, jobPlace, newJobRecord, type AttemptRecord, type JobEvent, type JobPhase, type JobRecord } from './job-record';
export { jobLabel } from './job-label';
