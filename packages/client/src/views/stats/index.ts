export { STATS_VERSION, emptyStats, normalizeStats, type HostStats, type StatsData } from './stats-data';
export { countJob, countBackoff } from './count-job';
export { countPackPush, notePacksHeld } from './count-pack';
export { readStatsFile, writeStatsFile, statsFileIn } from './stats-file';
export { StatsKeeper, STATS_WRITE_DELAY_MS, type StatsKeeperOptions } from './stats-keeper';
export { formatStats, bytes } from './format-stats';
