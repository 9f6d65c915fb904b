// @sshcc/testkit: real OpenSSH sshd volunteers on loopback for sshcc's tests, plus fault injection.
// Test-only: no runtime package may import it.
export { startVolunteer, startVolunteers, defaultServerCommand, type VolunteerOptions, type VolunteerNetwork } from './start-volunteer';
export { Volunteer, type RestartOptions } from './volunteer';
export { makeClientConfig, type ClientConfig } from './client-config';
export { startTcpProxy, type TcpProxy, type TcpProxyOptions } from './tcp-proxy';
export { stopAll } from './registry';
export { treeActivity } from './process-tree';
export { SshdStartError } from './sshd-process';
export { connectClient, openExec, openSubsystem, channelExit, collectChannel, execText, type ExecResult } from './ssh2-client';
export { startWanVolunteer, type WanVolunteer, type WanVolunteerOptions } from './wan/start-wan-volunteer';
export { wanUnavailable } from './wan/wan-unavailable';
export { compilersHere, CROSS_GCC } from './compilers-here';
export { hidingUnavailable, type Replacement } from './hidden-paths';
export type { WanImpairments } from './wan/wan-link';
export type { LinkPlan } from './wan/link-plan';
export type { LossCounters } from './wan/link-shaping';
export { writeStartLogServer, type StartLine, type StartLogServer, type StartLogOptions } from './start-log-server';
export { jobLeftovers } from './job-leftovers';
export { installStandIn, STAND_IN_NAME, type StandIn, type StandInOptions } from './stand-in';
