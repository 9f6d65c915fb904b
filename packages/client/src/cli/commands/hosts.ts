import * as fs from 'node:fs';
import * as os from 'node:os';
import { resolveHostSources } from '@sshcc/core';
import type { CliCommand } from '../cli-command';
import { formatHostList } from '../format-host-list';

/**
 * `sshcc hosts [--json]`: the host list sshcc would use and where it came from. Warnings (skipped
 * DISTCC_HOSTS entries) go to stderr so the JSON on stdout stays clean.
 */
export const hostsCommand: CliCommand = {
  name: 'hosts',
  register: (cli) =>
    cli.command(
      'hosts',
      'show the host list sshcc would use, and where it came from',
      (command) => command.option('json', { type: 'boolean', default: false, describe: 'print the list as JSON' }),
      (args) => {
        const list = resolveHostSources({
          env: process.env,
          homeDir: os.homedir(),
          readFile: (path) => fs.readFileSync(path, 'utf8'),
        });
        for (const warning of list.warnings) process.stderr.write(`sshcc: warning: ${warning.message}\n`);
        process.stdout.write(args.json ? `${JSON.stringify(list, null, 2)}\n` : formatHostList(list));
      },
    ),
};
