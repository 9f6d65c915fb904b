// The scripted stretch of agent life of ../events/test-scenario.ts, folded by the live view into the jobs
// it finished: what the stats and the trace are made from. Test-only.
import { EventFeed, type JobRecord } from '../../events';
import { runScenario, SCENARIO_START } from '../../events/test-scenario';
import { LiveView } from './live-view';

export async function scenarioJobs(): Promise<JobRecord[]> {
  const clock = { now: SCENARIO_START };
  const feed = new EventFeed(() => clock.now);
  const view = new LiveView();
  const done: JobRecord[] = [];
  feed.subscribe((event) => {
    const job = view.apply(event);
    if (job !== null) done.push(job);
  });
  await runScenario(feed, clock);
  return done;
}
