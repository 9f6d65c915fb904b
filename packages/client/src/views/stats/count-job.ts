import { DEPARTURES } from '@sshcc/core';
import type { JobRecord } from '../../events';
import { emptyHostStats, type HostStats, type StatsData } from './stats-data';

/** Adds one finished job to the stats. */
export function countJob(stats: StatsData, job: JobRecord): void {
  const { jobs, time } = stats;
  jobs.total++;
  if (job.result === 'remote') jobs.remote++;
  else if (job.result === 'local') {
    jobs.local++;
    const reason = job.reason ?? 'unknown';
    jobs.localByReason[reason] = (jobs.localByReason[reason] ?? 0) + 1;
  } else if (job.result === 'cancelled') jobs.cancelled++;
  else jobs.errors++;
  if (job.failedOver) jobs.failedOver++;
  if (job.streamed) jobs.streamed++;
  if (job.preprocessStart !== null) {
    if (job.cppWait !== null) time.cppWaitMs += job.preprocessStart - job.cppWait;
    if (job.preprocessEnd !== null) {
      time.preprocessed++;
      time.preprocessMs += job.preprocessEnd - job.preprocessStart;
    }
  }
  for (const attempt of job.attempts) {
    // A wait that never got a slot (the client gave up) was queue time all the same.
    time.queuedMs += (attempt.granted ?? job.end ?? attempt.waitStart) - attempt.waitStart;
    if (attempt.granted === null) continue;
    const held = (attempt.released ?? job.end ?? attempt.granted) - attempt.granted;
    if (attempt.local) {
      time.localCompiles++;
      time.localCompileMs += held;
      continue;
    }
    if (attempt.host === null) continue;
    const host = hostStats(stats, attempt.host);
    host.attempts++;
    host.slotMs += held;
    const outcome = attempt.outcome ?? 'cancelled';
    if (outcome !== 'compiled' && outcome !== 'local' && DEPARTURES[outcome].hostFailure) host.failures[outcome] = (host.failures[outcome] ?? 0) + 1;
    if (outcome === 'volunteer-busy') host.declinedBusy++;
    const figures = attempt.figures;
    if (figures !== null) {
      host.slotWaitMs += figures.slotWaitMs ?? 0;
      // The volunteer answered "compiled" for these too: it was their answer, not its compile, that the agent set aside.
      const answeredCompiled = outcome === 'compiled' || outcome === 'diagnostics' || outcome === 'missing-output';
      if (answeredCompiled && figures.cached === true) host.cacheHits++;
      else if (answeredCompiled || outcome === 'compile-error') {
        host.compiles++;
        host.compileMs += figures.compileMs;
      }
      host.sentBytes += figures.sentBytes;
      host.sentWireBytes += figures.sentWireBytes;
      host.receivedBytes += figures.receivedBytes;
      host.receivedWireBytes += figures.receivedWireBytes;
    }
  }
  if (job.result === 'remote' && job.host !== null) hostStats(stats, job.host).jobs++;
  if (job.verified !== null) {
    const host = hostStats(stats, job.verified.host);
    stats.verify.checked++;
    host.verified++;
    if (!job.verified.match) {
      stats.verify.mismatched++;
      host.failures['verify-mismatch'] = (host.failures['verify-mismatch'] ?? 0) + 1;
    }
  }
  if (job.cache === 'agent' || job.cache === 'agent-direct') stats.cache.agentHits++;
  if (job.cache === 'agent-direct') stats.cache.directHits++;
  else if (job.cache === 'volunteer') stats.cache.volunteerHits++;
  else if (job.cache === 'miss') stats.cache.misses++;
  stats.updated = new Date(job.end ?? job.start).toISOString();
}

export function countBackoff(stats: StatsData, host: string): void {
  hostStats(stats, host).backoffs++;
}

/** The host's figures, started at zero when it is first counted. */
export function hostStats(stats: StatsData, id: string): HostStats {
  let host = stats.hosts[id];
  if (host === undefined) stats.hosts[id] = host = emptyHostStats();
  return host;
}
