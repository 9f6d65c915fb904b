// The agent's SSH connection pool: ssh_config resolution like the user's own ssh, known_hosts checking,
// ssh-agent/IdentityFile auth, ProxyJump, keepalives, and long-lived sshcc-server worker channels.
export { SshPool, DEFAULT_CHANNELS_PER_CONNECTION, MAX_OPENING_PER_HOST, type SshPoolOptions, type PoolHost } from './ssh-pool';
export type { PoolWorker } from './pool-worker';
export type { PoolEvent, HostStatus, ChannelCloseReason } from './pool-events';
export { sshccHandshake } from './sshcc-handshake';
export { type WorkerHandshake, type WorkerHandshakeInfo, DEFAULT_HANDSHAKE_TIMEOUT_MS, SUBSYSTEM_NAME } from './open-worker-channel';
export {
  connectSsh,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_COUNT_MAX,
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  type SshConnection,
  type SshConnectOptions,
  type SshTarget,
} from './connect-ssh';
export { resolveSshConfig, clearSshConfigCache, type ResolveSshConfigOptions } from './resolve-ssh-config';
export type { ResolvedSshConfig, StrictHostKeyChecking } from './resolved-ssh-config';
export { remoteServerCommand, DEFAULT_SERVER_COMMAND, shellQuote, shellCommand } from './remote-server-command';
export { classifySshError } from './classify-ssh-error';
