// @sshcc/testkit: real OpenSSH sshd volunteers on loopback for sshcc's tests, plus fault injection.
// Test-only: no runtime package may import it.
export { startVolunteer, startVolunteers, defaultServerCommand, type VolunteerOptions } from './start-volunteer';
export { Volunteer, type RestartOptions } from './volunteer';
export { makeClientConfig, type ClientConfig } from './client-config';
export { startTcpProxy, type TcpProxy, type TcpProxyOptions } from './tcp-proxy';
export { stopAll } from './registry';
export { SshdStartError } from './sshd-process';
export { connectClient, openExec, openSubsystem, collectChannel, execText, type ExecResult } from './ssh2-client';
