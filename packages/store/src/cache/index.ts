// The result store, shared by the volunteer (sshcc-server) and the agent: see ./README.md.
export { ResultStore, DEFAULT_CACHE_MAX_BYTES, type ResultStoreOptions, type CacheSize, type CacheStats } from './result-store';
export { decodeEntry, encodeEntry, type CachedResult, type CachedOutput } from './cache-entry';
export type { CacheCounters } from './cache-stats';
export { cacheRoot } from './cache-dir';
export { cacheSettings, parseCacheSize, type CacheSettings, type CacheConfig } from './cache-settings';
