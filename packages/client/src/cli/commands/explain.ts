import * as fs from 'node:fs';
import * as os from 'node:os';
import { analyzeArgs } from '@sshcc/core';
import type { CliCommand } from '../cli-command';
import { verifySetting } from '../../compile/verify-setting';
import { formatAnalysis } from '../format-analysis';
import { usageError } from '../usage-error';

const HINT = 'put the compiler command after --, as in: sshcc explain -- gcc -c foo.c';

/**
 * `sshcc explain [--json] -- <compiler> <args...>`: the argv analysis of one command, without running
 * anything. It explains rather than judges, so it exits 0 for local and remote alike. The JSON is the
 * Analysis object as-is: a stable interface that other tools check.
 */
export const explainCommand: CliCommand = {
  name: 'explain',
  usageHint: HINT,
  register: (cli) =>
    cli.command(
      'explain [words..]',
      'show whether a compile would run remotely or locally, and why',
      (command) =>
        command
          .usage('$0 explain [--json] -- <compiler> [args...]')
          .positional('words', { hidden: true, type: 'string', array: true })
          .option('json', { type: 'boolean', default: false, describe: 'print the analysis as JSON' })
          .example('$0 explain -- gcc -c -O2 foo.c', '')
          .example('$0 explain --json -- g++ -c -march=native bar.cc', ''),
      (args) => {
        if ((args.words ?? []).length > 0) throw usageError(`"${String(args.words?.[0])}" before --`, HINT);
        const rest = args['--'];
        const argv = Array.isArray(rest) ? rest.map(String) : [];
        if (argv.length === 0) throw usageError('no compiler command to explain', HINT);
        const analysis = analyzeArgs(argv, {
          cwd: process.cwd(),
          env: process.env,
          readFile: (path) => fs.readFileSync(path, 'utf8'),
        });
        if (args.json) {
          process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
          return;
        }
        // Read only for a compile it applies to; a bad setting is then the config error the agent would answer.
        const verify = analysis.mode === 'remote' ? verifySetting(process.env, os.homedir()) : undefined;
        process.stdout.write(formatAnalysis(analysis, verify));
      },
    ),
};
