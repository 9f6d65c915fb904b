import { ensureAgent, queryAgent, stopAgent } from '../../agent';
import type { AgentStatus } from '../../wire/messages';
import { runAgent } from '../../agent/run-agent';
import { localAgentPaths } from '../../wire/local-agent-paths';
import type { CliCommand } from '../cli-command';

const ACTIONS = ['start', 'stop', 'status', 'run'] as const;

/**
 * `sshcc agent start|stop|status|run`: the per-user agent that compiles start on their own. `run`
 * keeps it in the foreground, logging to stderr (for debugging); `status --json` is for scripts.
 */
export const agentCommand: CliCommand = {
  name: 'agent',
  register: (cli) =>
    cli.command(
      'agent <action>',
      'start, stop or show the background agent (compiles start it when needed)',
      (command) =>
        command
          .positional('action', { choices: ACTIONS, describe: 'what to do' })
          .option('json', { type: 'boolean', default: false, describe: 'print the status as JSON' })
          .example('$0 agent status --json', ''),
      async (args) => {
        const paths = localAgentPaths(process.env);
        const action = args.action as (typeof ACTIONS)[number];
        if (action === 'run') {
          process.exitCode = await runAgent({ foreground: true });
          return;
        }
        if (action === 'start') {
          const status = await ensureAgent(paths, envRecord());
          return print(args.json, { running: true, ...status }, `agent running: pid ${status.pid}, socket ${status.socket}\n`);
        }
        if (action === 'stop') {
          const status = await stopAgent(paths);
          if (status === null) return print(args.json, { running: false, socket: paths.socket }, 'no agent running\n');
          return print(args.json, { running: false, stopped: status.pid }, `agent stopped (pid ${status.pid}, ${status.jobsServed} jobs served)\n`);
        }
        const status = await queryAgent(paths);
        if (status === null) return print(args.json, { running: false, socket: paths.socket }, `no agent running (socket ${paths.socket})\n`);
        return print(args.json, { running: true, ...status }, formatStatus(status));
      },
    ),
};

function print(json: boolean, value: object, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text);
}

function formatStatus(status: AgentStatus): string {
  const rows: [string, string][] = [
    ['pid', String(status.pid)],
    ['socket', status.socket],
    ['uptime', formatDuration(status.uptimeMs)],
    ['jobs served', String(status.jobsServed)],
    ['jobs active', String(status.jobsActive)],
    ['idle exit', status.idleTimeoutMs > 0 ? `after ${formatDuration(status.idleTimeoutMs)} without work` : 'never'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length + 1));
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}\n`).join('');
}

/** 3725000 → "1h 2m 5s", 600000 → "10m": leading and trailing zero units left out. */
export function formatDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(total / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'm'],
    [total % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first < 0) return '0s';
  const last = parts.length - 1 - [...parts].reverse().findIndex(([value]) => value > 0);
  return parts.slice(first, last + 1).map(([value, unit]) => `${value}${unit}`).join(' ');
}

function envRecord(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}
