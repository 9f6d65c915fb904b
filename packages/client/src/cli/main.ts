// The `sshcc` subcommands' entry point (bin/sshcc.js). The one place that catches: every failure is
// printed as one line `sshcc: <what>: <why>` and exits with its code, never with a stack trace.
import { exitCodeOf, formatError } from '@sshcc/core';
import { hideBin } from 'yargs/helpers';
import { buildCli } from './build-cli';

async function main(): Promise<void> {
  try {
    await buildCli(hideBin(process.argv)).parseAsync();
  } catch (err) {
    process.stderr.write(`${formatError(err)}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

void main();
