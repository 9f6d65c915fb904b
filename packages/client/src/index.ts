// The public face of @sshcc/client for other packages and tests. The CLI's parser (yargs) is not
// exported here, so importing this package never loads it.
export type { CliCommand } from './cli/cli-command';
export { shellQuote, shellQuoteArg } from '@sshcc/core';
