import { agentPacksDir } from '@sshcc/store';
import { queryReport } from '../../agent/report-client';
import { localAgentPaths } from '../../wire/local-agent-paths';
import { emptyStats, formatStats, normalizeStats, readStatsFile, statsFileIn, writeStatsFile, type StatsData } from '../../views/stats';
import { packCompilers } from '../../views/pack-names';
import type { CliCommand } from '../cli-command';

/**
 * `sshcc stats [--json] [-z]`: what the agent counted, like `ccache -s`. The agent keeps the counters
 * and writes them to $SSHCC_DIR/stats.json; with no agent running, that file is read (or zeroed).
 */
export const statsCommand: CliCommand = {
  name: 'stats',
  register: (cli) =>
    cli.command(
      'stats',
      'show where jobs ran, per-host figures and local times (-z zeroes them)',
      (command) =>
        command
          .option('json', { type: 'boolean', default: false, describe: 'print the counters as JSON' })
          .option('zero', { alias: 'z', type: 'boolean', default: false, describe: 'zero the counters' })
          .example('$0 stats', '')
          .example('$0 stats -z', ''),
      async (args) => {
        const paths = localAgentPaths(process.env);
        const file = statsFileIn(paths.configDir);
        const answer = await queryReport(paths, args.zero ? 'zero-stats' : 'stats');
        let stats: StatsData | null = answer.agent ? normalizeStats(answer.value, Date.now()) : null;
        if (stats === null) {
          // No agent (or one that keeps no stats): the file it left is the truth.
          if (args.zero) {
            stats = emptyStats(Date.now());
            await writeStatsFile(file, stats);
          } else {
            const read = readStatsFile(file, Date.now());
            if (read.broken !== null) process.stderr.write(`sshcc: warning: ${read.broken}\n`);
            stats = read.stats;
          }
        }
        if (args.zero && !args.json) {
          process.stdout.write('Statistics zeroed\n');
          return;
        }
        const compilers = await packCompilers(
          Object.values(stats.hosts).flatMap((host) => host.packsHeld),
          agentPacksDir(process.env),
        );
        // packCompilers is not a counter: what each held pack is, where this machine built it.
        if (args.json) process.stdout.write(`${JSON.stringify({ ...stats, packCompilers: Object.fromEntries(compilers) }, null, 2)}\n`);
        else process.stdout.write(formatStats(stats, compilers));
      },
    ),
};
