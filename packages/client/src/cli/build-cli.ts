import yargs, { type Argv } from 'yargs';
import { clientVersion } from './client-version';
import { CLI_COMMANDS } from './commands';
import { usageError } from './usage-error';

/**
 * The `sshcc` subcommand parser over `args` (argv without node and the script). Parsing throws instead
 * of printing or exiting: a usage problem becomes SshccError('usage'), and main prints every error.
 */
export function buildCli(args: readonly string[]): Argv {
  let cli = yargs([...args])
    .scriptName('sshcc')
    .usage('$0 <command> [options]\n\nDistributed C/C++ compilation over SSH.')
    .parserConfiguration({ 'populate--': true })
    .strict()
    .demandCommand(1, 'no command given')
    .version(clientVersion())
    .help()
    .alias('h', 'help')
    .wrap(null)
    .exitProcess(false)
    .fail((message: string | undefined, err: Error | undefined) => {
      if (err) throw err;
      const first = args[0];
      if (first !== undefined && !first.startsWith('-') && !CLI_COMMANDS.some((c) => c.name === first)) {
        throw usageError(`unknown command "${first}"`, `commands: ${CLI_COMMANDS.map((c) => c.name).join(', ')}; see "sshcc --help"`);
      }
      throw usageError(message ?? 'bad command line', usageHintFor(args));
    });
  for (const command of CLI_COMMANDS) cli = command.register(cli);
  return cli;
}

function usageHintFor(args: readonly string[]): string | undefined {
  const command = CLI_COMMANDS.find((c) => c.name === args[0]);
  if (command === undefined) return undefined;
  return command.usageHint ?? `see "sshcc ${command.name} --help"`;
}
