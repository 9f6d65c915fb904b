import type { PingReport } from './ping-report';

/** What ping reports of a host whose port refuses connections: for the formatters' tests. */
export function unreachableReport(host: string, destination: string): PingReport {
  return {
    host,
    destination: null,
    usable: false,
    reachable: false,
    hostKeyOk: null,
    authOk: null,
    server: null,
    compilers: [],
    timings: { connectMs: null, startMs: null, rttMs: null },
    clock: null,
    error: { code: 'connect', exitCode: 110, message: `sshcc: connect: cannot connect to ${destination}: connection refused` },
    notes: [],
  };
}
