import { writeFile } from 'node:fs/promises';
import { SshccError } from '@sshcc/core';
import { queryReport } from '../../agent/report-client';
import type { JobRecord } from '../../events';
import { localAgentPaths } from '../../wire/local-agent-paths';
import { chromeTrace, parseSince } from '../../views/trace';
import { clientVersion } from '../client-version';
import type { CliCommand } from '../cli-command';

/**
 * `sshcc trace [--since TIME] [-o FILE]`: the agent's recent jobs as Chrome trace-event JSON, for
 * Perfetto (ui.perfetto.dev) or chrome://tracing. The agent keeps the last 10,000 jobs in memory.
 */
export const traceCommand: CliCommand = {
  name: 'trace',
  register: (cli) =>
    cli.command(
      'trace',
      'write the recent jobs as a Chrome/Perfetto trace (one track per host slot)',
      (command) =>
        command
          .option('since', { type: 'string', describe: 'only jobs started since: a duration back (10m, 2h) or a time (2025-05-01T10:00)' })
          .option('output', { alias: 'o', type: 'string', default: '-', describe: 'the file to write ("-": stdout)' })
          .example('$0 trace -o trace.json', '')
          .example('$0 trace --since 10m -o last-build.json', ''),
      async (args) => {
        const since = args.since === undefined ? null : parseSince(args.since, Date.now());
        const paths = localAgentPaths(process.env);
        const answer = await queryReport(paths, 'jobs');
        const jobs = answer.agent ? jobsOf(answer.value) : null;
        if (jobs === null) {
          throw new SshccError('agent-unavailable', answer.agent ? 'the agent keeps no jobs' : `no agent running (socket ${paths.socket})`, {
            hint: 'the agent keeps the recent jobs in memory: run sshcc trace after a build, while the agent still runs',
          });
        }
        const chosen = since === null ? jobs : jobs.filter((job) => job.start >= since);
        const text = `${JSON.stringify(chromeTrace(chosen, `sshcc ${clientVersion()}`))}\n`;
        if (args.output === '-') {
          process.stdout.write(text);
          return;
        }
        await writeFile(args.output, text);
        process.stdout.write(`${chosen.length} jobs written to ${args.output}: open it in https://ui.perfetto.dev or chrome://tracing\n`);
      },
    ),
};

function jobsOf(value: unknown): JobRecord[] | null {
  if (typeof value !== 'object' || value === null) return null;
  const jobs = (value as { jobs?: unknown }).jobs;
  return Array.isArray(jobs) ? (jobs as JobRecord[]) : null;
}
