import type { Argv } from 'yargs';

/**
 * One `sshcc <name>` subcommand. Adding a command is one file in commands/ exporting one of these and
 * one line in commands/index.ts.
 */
export interface CliCommand {
  readonly name: string;
  /** Adds the command (its options and handler) to the parser. */
  readonly register: (cli: Argv) => Argv;
  /** Said after a usage error in this command; the default points at `sshcc <name> --help`. */
  readonly usageHint?: string;
}
