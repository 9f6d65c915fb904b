// Per-host state with one owner: the pool, the queue, the compile loop and `sshcc ping` all read the
// same HostTable.
export { HostTable, compilerKey, wholeSlots, type HostTableListener, type HostTableOptions } from './host-table';
export type { HostEntry, HostHealth, HostSlots, ServerMode } from './host-entry';
export { backoffDelayMs, backoffPolicyFromEnv, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff-policy';
