import type { CliCommand } from '../cli-command';
import { explainCommand } from './explain';
import { hostsCommand } from './hosts';

/** Every `sshcc <command>`, in the order `sshcc --help` lists them. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  explainCommand,
  hostsCommand,
];
