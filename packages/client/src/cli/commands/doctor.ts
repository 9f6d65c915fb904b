import * as os from 'node:os';
import { exitCodeFor } from '@sshcc/core';
import { runDoctor } from '../../doctor';
import type { CliCommand } from '../cli-command';
import { clientVersion } from '../client-version';
import { sshccExecutable } from '../dist-dir';
import { formatDoctorReport } from '../format-doctor-report';
import { TIMEOUT_OPTION, timeoutMsOf } from '../timeout-option';

/**
 * `sshcc doctor [--json] [--masquerade DIR]... [--timeout S]`: why compiles do not go remote. Exits 0
 * when it finds nothing wrong, else 107 (problems-found) after printing each problem and its fix.
 */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  register: (cli) =>
    cli.command(
      'doctor',
      'check the host list, every volunteer, the client, masquerade links and PATH; say what to fix',
      (command) =>
        command
          .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
          .option('masquerade', { type: 'string', array: true, default: [], describe: 'also check this masquerade folder (those on PATH are found)' })
          .option('timeout', TIMEOUT_OPTION)
          .example('$0 doctor', 'everything a build depends on, with the command that fixes each problem')
          .example('$0 doctor --masquerade ~/.sshcc/bin --json', 'machine-readable, checking that folder too')
          .epilog('Exit code 0 when nothing is wrong; 107 when a problem was found.'),
      async (args) => {
        const timeoutMs = timeoutMsOf(args.timeout);
        const report = await runDoctor({
          env: process.env,
          cwd: process.cwd(),
          homeDir: os.homedir(),
          self: sshccExecutable(),
          masquerade: (args.masquerade ?? []).map(String),
          timeoutMs,
          client: `sshcc-doctor/${clientVersion()}`,
        });
        process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
        if (!report.ok) process.exitCode = exitCodeFor('problems-found');
      },
    ),
};
