// `sshcc ping`: each remote host checked the way a build would use it, with a report per host.
export { pingHosts, DEFAULT_PING_TIMEOUT_MS, type PingOptions } from './ping-hosts';
export { formatPingReports } from './format-ping-report';
export type { PingReport, PingServer, PingTimings, PingFailure, CompilerCheck, CompilerStatus, PackHeld } from './ping-report';
