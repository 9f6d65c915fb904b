import type { CliCommand } from '../cli-command';
import { agentCommand } from './agent';
import { explainCommand } from './explain';
import { hostsCommand } from './hosts';
import { masqueradeCommand } from './masquerade';

/** Every `sshcc <command>`, in the order `sshcc --help` lists them. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  explainCommand,
  hostsCommand,
  agentCommand,
  masqueradeCommand,
];
