import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SshccError } from '@sshcc/core';
import { MASQUERADE_COMPILERS, makeMasqueradeLinks, removeMasqueradeLinks, type LinkOutcome } from '../../masquerade';
import type { CliCommand } from '../cli-command';
import { sshccExecutable } from '../dist-dir';

/**
 * `sshcc masquerade DIR [--remove]`: links gcc, g++, cc, c++, clang, clang++ in DIR to sshcc. With DIR
 * first on PATH, a build that runs plain `gcc` goes through sshcc, which runs the real gcc found
 * further down PATH. Existing files that are not sshcc links are never replaced.
 */
export const masqueradeCommand: CliCommand = {
  name: 'masquerade',
  register: (cli) =>
    cli.command(
      'masquerade <dir>',
      `link ${MASQUERADE_COMPILERS.join(', ')} in <dir> to sshcc (put <dir> first on PATH)`,
      (command) =>
        command
          .positional('dir', { type: 'string', describe: 'folder for the links (created if missing)' })
          .option('remove', { type: 'boolean', default: false, describe: 'remove the links instead' })
          .example('$0 masquerade ~/.sshcc/bin && export PATH=~/.sshcc/bin:$PATH', ''),
      (args) => {
        const dir = resolve(String(args.dir));
        const target = existingSshcc();
        const outcomes = args.remove ? removeMasqueradeLinks(dir, target) : makeMasqueradeLinks(dir, target);
        for (const outcome of outcomes) report(outcome);
        if (!args.remove) process.stdout.write(`now put it first on PATH: export PATH="${dir}:$PATH"\n`);
      },
    ),
};

function report(outcome: LinkOutcome): void {
  if (outcome.action === 'skipped') process.stderr.write(`sshcc: warning: ${outcome.path}: ${outcome.why}; left alone\n`);
  else process.stdout.write(`${outcome.action} ${outcome.path}\n`);
}

function existingSshcc(): string {
  const path = sshccExecutable();
  if (!existsSync(path)) throw new SshccError('config', `${path} is missing`, { hint: 'run "npm run build" first' });
  return path;
}
