import { parseHosts, SshccError, type SshHost } from '@sshcc/core';
import { DEFAULT_SERVER_COMMAND } from '../../pool';
import { installServer, loadServerBundle, localInstallTarget, sshInstallTarget, type InstallReport, type InstallTarget } from '../../install';
import type { CliCommand } from '../cli-command';
import { clientVersion } from '../client-version';
import { packagedServerBundle } from '../dist-dir';
import { usageError } from '../usage-error';

const USAGE_HINT = 'as in: sshcc install-server build1, sshcc install-server @me@build1:2222, or sshcc install-server --local';

/**
 * `sshcc install-server [@]host | --local`: puts sshcc-server (one bundled file and a launcher) into
 * ~/.local/lib/sshcc on a volunteer, with no root, and this machine's node beside it where the volunteer
 * has none ≥ 20; checks that it runs; prints the optional sshd_config Subsystem line. Running it again
 * upgrades in place and sends only what changed.
 */
export const installServerCommand: CliCommand = {
  name: 'install-server',
  usageHint: USAGE_HINT,
  register: (cli) =>
    cli.command(
      'install-server [host]',
      'install sshcc-server for your user on a volunteer (no root; sends this node where none ≥ 20 is there)',
      (command) =>
        command
          .positional('host', { type: 'string', describe: 'a volunteer as in a host list: [@][user@]host[:port]; ~/.ssh/config applies' })
          .option('local', { type: 'boolean', default: false, describe: 'install on this machine instead' })
          .example('$0 install-server build1', 'upload over ssh, check it runs, print the optional Subsystem line')
          .example('$0 install-server --local', 'make this machine a volunteer for others'),
      async (args) => {
        const host = typeof args.host === 'string' ? args.host : undefined;
        if (host === undefined && !args.local) throw usageError('name a host, or give --local', USAGE_HINT);
        if (host !== undefined && args.local) throw usageError('a host and --local together', USAGE_HINT);
        const bundle = loadServerBundle(packagedServerBundle());
        let target: InstallTarget;
        if (host === undefined) {
          target = localInstallTarget(process.env);
        } else {
          const ssh = parseTarget(host);
          target = await sshInstallTarget(ssh, { env: process.env, onNote: (note) => process.stderr.write(`sshcc: note: ${note}\n`) });
        }
        try {
          process.stdout.write(`installing sshcc-server on ${target.where}\n`);
          const report = await installServer(target, bundle, {
            clientVersion: clientVersion(),
            onStep: (step, detail) => process.stdout.write(`  ${`${step}:`.padEnd(10)} ${detail}\n`),
          });
          process.stdout.write(formatDone(report, host));
        } finally {
          target.close();
        }
      },
    ),
};

/** One host in host-list syntax; slots and options are accepted and mean nothing here. */
function parseTarget(text: string): SshHost {
  let entries;
  try {
    entries = parseHosts(text, { source: { kind: 'env', name: 'SSHCC_HOSTS' } }).hosts;
  } catch (err) {
    if (err instanceof SshccError) throw usageError(`"${text}" is not a host: ${err.message.replace(/^SSHCC_HOSTS: /, '')}`, USAGE_HINT);
    throw err;
  }
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined || entry.kind !== 'ssh') throw usageError(`"${text}" is not one remote host`, USAGE_HINT);
  return entry;
}

function formatDone(report: InstallReport, host: string | undefined): string {
  const ping = host === undefined ? '' : `Check it from here with: SSHCC_HOSTS=${host} sshcc ping\n`;
  return [
    `  compilers: ${compilersIn(report.check)}`,
    `installed ${report.installed} in ${report.paths.dir}${report.previous === null ? '' : ` (was ${report.previous})`}.`,
    `sshcc starts it over ssh as ${DEFAULT_SERVER_COMMAND}, with no root and no sshd_config change.`,
    'Optionally, an admin can run it as the sshcc subsystem instead (sshd_config, then reload sshd):',
    `  ${report.subsystemLine}`,
    '',
  ].join('\n') + ping;
}

/** The compiler names `sshcc-server --check` lists (`name: /path: version; target; hashes`). */
function compilersIn(check: string): string {
  const names = check.split('\n').flatMap((line) => /^(\S+): \/\S*: /.exec(line)?.[1] ?? []);
  return names.length === 0 ? 'none allowed on its PATH (see sshcc-server --check there)' : `${names.length}: ${names.join(', ')}`;
}
