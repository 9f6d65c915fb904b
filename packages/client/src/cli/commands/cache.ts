import { rm } from 'node:fs/promises';
import { cacheSettings, ResultStore, type CacheStats } from '@sshcc/store';
import { manifestsDir } from '../../compile/result-cache';
import { bytes } from '../../views/stats/format-stats';
import type { CliCommand } from '../cli-command';

const ACTIONS = ['stats', 'size', 'clear'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * `sshcc cache stats|size|clear [--json]`: this user's agent-side result cache (`<cache root>/agent`).
 * With SSHCC_CACHE=0 the cache is off, and the command says so rather than touching anything.
 */
export const cacheCommand: CliCommand = {
  name: 'cache',
  register: (cli) =>
    cli.command(
      'cache <action>',
      "show or clear this user's result cache (stats, size, clear)",
      (command) =>
        command
          .positional('action', { choices: ACTIONS, describe: 'stats: hits, misses, stores, evictions, corrupt entries and size; size: entries and bytes; clear: remove every entry and direct mode\'s manifests' })
          .option('json', { type: 'boolean', default: false, describe: 'print the figures as JSON' })
          .example('$0 cache stats', '')
          .example('$0 cache clear', ''),
      async (args) => {
        const settings = cacheSettings('agent', process.env);
        if (settings === null) {
          process.stdout.write(args.json ? `${JSON.stringify({ enabled: false })}\n` : 'The result cache is off (SSHCC_CACHE=0)\n');
          return;
        }
        const store = new ResultStore(settings);
        const action = args.action as Action;
        if (action === 'clear') {
          const removed = await store.clear();
          // Direct mode's manifests name results that are gone now: a stale one would only cost a miss, but
          // "clear" means nothing of the cache is left.
          await rm(manifestsDir(store.dir), { recursive: true, force: true });
          process.stdout.write(args.json ? `${JSON.stringify(removed)}\n` : `Removed ${removed.entries} entries (${bytes(removed.bytes)}) from ${store.dir}\n`);
        } else if (action === 'size') {
          const size = await store.size();
          process.stdout.write(args.json ? `${JSON.stringify({ ...size, maxBytes: store.maxBytes })}\n` : `${size.entries} entries, ${bytes(size.bytes)} of ${bytes(store.maxBytes)}\n`);
        } else {
          const stats = await store.stats();
          process.stdout.write(args.json ? `${JSON.stringify(stats, null, 2)}\n` : formatCacheStats(stats));
        }
      },
    ),
};

/** `ccache -s`'s manner: labels and figures. */
export function formatCacheStats(stats: CacheStats): string {
  const lookups = stats.hits + stats.misses;
  const rate = lookups === 0 ? '' : ` (${((stats.hits / lookups) * 100).toFixed(1)} %)`;
  const rows: [string, string][] = [
    ['Cache directory', stats.dir],
    ['Hits', `${stats.hits} / ${lookups}${rate}`],
    ['Misses', String(stats.misses)],
    ['Stores', String(stats.stores)],
    ['Evictions', String(stats.evictions)],
    ['Corrupt entries', String(stats.corrupt)],
    ['Entries', String(stats.entries)],
    ['Size', `${bytes(stats.bytes)} of ${bytes(stats.maxBytes)}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join('');
}
