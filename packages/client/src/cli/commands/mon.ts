import { ensureAgent } from '../../agent';
import { localAgentPaths } from '../../wire/local-agent-paths';
import { renderFrame } from '../../views/monitor';
import { monitorLive, monitorOnce } from '../run-monitor';
import type { CliCommand } from '../cli-command';

/**
 * `sshcc mon [--once] [--json]`: the agent's jobs and hosts as they are now. Live, it follows the
 * agent's event feed (starting the agent, so a build started later shows up) and redraws in a
 * terminal, or prints a plain frame on each change otherwise. `--once` prints one frame and exits.
 */
export const monCommand: CliCommand = {
  name: 'mon',
  register: (cli) =>
    cli.command(
      'mon',
      'watch running jobs and hosts live (--once: print one frame)',
      (command) =>
        command
          .option('once', { type: 'boolean', default: false, describe: 'print one frame and exit' })
          .option('json', { type: 'boolean', default: false, implies: 'once', describe: 'with --once: print the state as JSON' })
          .example('$0 mon', '')
          .example('$0 mon --once', ''),
      async (args) => {
        const paths = localAgentPaths(process.env);
        if (args.once) {
          const view = await monitorOnce(paths);
          if (args.json) {
            process.stdout.write(`${JSON.stringify(view === null ? { running: false } : { running: true, ...view.snapshot(Date.now()) }, null, 2)}\n`);
          } else {
            process.stdout.write(view === null ? `no agent running (socket ${paths.socket})\n` : `${renderFrame(view, { now: Date.now() }).join('\n')}\n`);
          }
          return;
        }
        await ensureAgent(paths, envRecord());
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const how = await monitorLive({ paths, out: process.stdout, signal: stop.signal });
          if (how === 'agent-gone') process.stderr.write('sshcc mon: the agent stopped\n');
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    ),
};

function envRecord(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}
