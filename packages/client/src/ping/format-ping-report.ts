import type { ClockSkew } from '@sshcc/core';
import { formatFields, indent } from '../views/format-table';
import { packLabel } from '../views/pack-names';
import { volunteerSlots } from '../views/monitor/render-frame';
import type { CompilerCheck, CompilerStatus, PingReport } from './ping-report';

const STATUS_WORDS: Readonly<Record<CompilerStatus, string>> = {
  match: 'match',
  mismatch: 'differ',
  'not-here': 'not on this machine',
  'missing-there': 'missing there',
  refused: 'refused there',
  failed: 'failed',
};

/** `sshcc ping`'s readable form: a header line per host, then what was learnt about it. */
export function formatPingReports(reports: readonly PingReport[]): string {
  return reports.map(formatPingReport).join('\n');
}

function formatPingReport(report: PingReport): string {
  const header = `${report.host}: ${report.usable ? 'ok' : 'UNUSABLE'}${report.destination === null ? '' : ` (${report.destination})`}\n`;
  const fields: [string, string][] = [];
  if (report.error !== null) fields.push(['error', report.error.message]);
  if (report.server === null) fields.push(['ssh', connectionLine(report)]);
  const { server, timings } = report;
  if (server !== null) {
    fields.push(['server', `${server.version}, protocol ${server.protocol}, ${server.compression}, by ${server.mode === 'exec' ? `exec ${server.command}` : server.command}`]);
    fields.push(['machine', `${server.arch === null ? '' : `${server.arch}, `}${server.cpus} cpus, load ${server.load.map((l) => l.toFixed(2)).join(' ')}`]);
    if (server.capacity !== null) fields.push(['slots', `${volunteerSlots(server.capacity)} (in use by all its clients / its cap)`]);
  }
  const times = [
    timings.connectMs === null ? null : `connect ${ms(timings.connectMs)}`,
    timings.startMs === null ? null : `server start ${ms(timings.startMs)}`,
    timings.rttMs === null ? null : `round trip ${ms(timings.rttMs)}`,
  ].filter((part) => part !== null);
  if (times.length > 0) fields.push(['time', times.join(', ')]);
  if (report.clock !== null) fields.push(['clock', clockLine(report.clock)]);
  if (server !== null) {
    fields.push(...compilerFields(report.compilers));
    fields.push(['packs', server.packs === null ? 'takes none' : server.packs.length === 0 ? 'none' : server.packs.map((pack) => packLabel(pack.id, pack.compiler)).join('; ')]);
    if (server.noPush !== null) fields.push(['no push', server.noPush]);
  }
  for (const note of report.notes) fields.push(['note', note]);
  return header + (fields.length === 0 ? '' : indent(formatFields(fields)));
}

function connectionLine(report: PingReport): string {
  const word = (value: boolean | null, yes: string, no: string): string => (value === null ? 'not tried' : value ? yes : no);
  return [
    `reachable: ${word(report.reachable, 'yes', 'no')}`,
    `host key: ${word(report.hostKeyOk, 'ok', 'refused')}`,
    `auth: ${word(report.authOk, 'ok', 'refused')}`,
  ].join(', ');
}

function compilerFields(checks: readonly CompilerCheck[]): [string, string][] {
  if (checks.length === 0) return [['compilers', 'none']];
  const groups = new Map<CompilerStatus, string[]>();
  for (const check of checks) groups.set(check.status, [...(groups.get(check.status) ?? []), check.name]);
  const fields: [string, string][] = [['compilers', [...groups].map(([status, names]) => `${STATUS_WORDS[status]}: ${names.join(', ')}`).join('; ')]];
  // One reason per kind of trouble is enough to act on; --json has them all.
  for (const status of ['mismatch', 'missing-there', 'refused', 'failed'] as const) {
    const first = checks.find((check) => check.status === status);
    if (first?.detail) fields.push(['why', first.detail.startsWith(`${first.name}: `) ? first.detail : `${first.name}: ${first.detail}`]);
  }
  return fields;
}

/** `0.012 s ahead of this machine (± 0.001 s)`: in seconds, as skew matters to `__TIME__`. */
function clockLine(clock: ClockSkew): string {
  const seconds = (value: number): string => (value / 1000).toFixed(3);
  return `${seconds(Math.abs(clock.skewMs))} s ${clock.skewMs < 0 ? 'behind' : 'ahead of'} this machine (± ${seconds(clock.uncertaintyMs)} s)`;
}

function ms(value: number): string {
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}
