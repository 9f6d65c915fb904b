import * as fs from 'node:fs';
import * as os from 'node:os';
import { hostSourceLabel, resolveHostSources, SshccError, type SshHost } from '@sshcc/core';
import { formatPingReports, pingHosts } from '../../ping';
import type { CliCommand } from '../cli-command';
import { clientVersion } from '../client-version';
import { sshccExecutable } from '../dist-dir';
import { TIMEOUT_OPTION, timeoutMsOf } from '../timeout-option';

/**
 * `sshcc ping [--json] [--timeout S]`: connects to every remote host in the host list and reports
 * what a build would meet there. Exits 0 when every host is usable, else with the exit code of the
 * first unusable host's failure (110 connect, 111 auth, 112 host key, 113 protocol, 117/118 compilers).
 */
export const pingCommand: CliCommand = {
  name: 'ping',
  register: (cli) =>
    cli.command(
      'ping',
      'check every remote host: ssh, host key, sshcc-server, compilers, round trip',
      (command) =>
        command
          .option('json', { type: 'boolean', default: false, describe: 'print one report per host as JSON' })
          .option('timeout', TIMEOUT_OPTION)
          .example('$0 ping', 'the hosts of SSHCC_HOSTS (else ~/.sshcc/hosts, /etc/sshcc/hosts, DISTCC_HOSTS)')
          .example('SSHCC_HOSTS=build1 $0 ping --json', 'one host, machine-readable')
          .epilog('Exit code 0 when every host is usable; otherwise that of the first unusable host (see the README).'),
      async (args) => {
        const timeoutMs = timeoutMsOf(args.timeout);
        const list = resolveHostSources({ env: process.env, homeDir: os.homedir(), readFile: (path) => fs.readFileSync(path, 'utf8') });
        for (const warning of list.warnings) process.stderr.write(`sshcc: warning: ${warning.message}\n`);
        const hosts = list.hosts.filter((host): host is SshHost => host.kind === 'ssh');
        if (hosts.length === 0) {
          const where = list.source.kind === 'none' ? `looked at ${list.searched.map(hostSourceLabel).join(', ')}` : hostSourceLabel(list.source);
          throw new SshccError('no-hosts', `no remote hosts to ping (${where})`, { hint: 'set SSHCC_HOSTS or write ~/.sshcc/hosts' });
        }
        const reports = await pingHosts(hosts, {
          env: process.env,
          cwd: process.cwd(),
          self: sshccExecutable(),
          timeoutMs,
          client: `sshcc-ping/${clientVersion()}`,
        });
        process.stdout.write(args.json ? `${JSON.stringify(reports, null, 2)}\n` : formatPingReports(reports));
        const unusable = reports.find((report) => report.error !== null);
        if (unusable?.error) process.exitCode = unusable.error.exitCode;
      },
    ),
};
