import type { CliCommand } from '../cli-command';
import { agentCommand } from './agent';
import { cacheCommand } from './cache';
import { doctorCommand } from './doctor';
import { explainCommand } from './explain';
import { hostsCommand } from './hosts';
import { installServerCommand } from './install-server';
import { masqueradeCommand } from './masquerade';
import { monCommand } from './mon';
import { pingCommand } from './ping';
import { statsCommand } from './stats';
import { traceCommand } from './trace';

/** Every `sshcc <command>`, in the order `sshcc --help` lists them. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  explainCommand,
  hostsCommand,
  pingCommand,
  doctorCommand,
  installServerCommand,
  agentCommand,
  masqueradeCommand,
  statsCommand,
  cacheCommand,
  monCommand,
  traceCommand,
];
