import { hostSourceLabel } from '@sshcc/core';
import type { DoctorReport } from '../doctor';
import { formatPingReports } from '../ping';
import { formatFields, formatTable, indent } from '../views/format-table';

type Problem = DoctorReport['problems'][number];
type Masquerade = DoctorReport['masquerade'][number];

const KIND_WORDS: Readonly<Record<DoctorReport['client']['self']['kind'], string>> = {
  shim: 'the C shim',
  launcher: 'the sh launcher: Node starts for every compile',
  package: "the installed package's launcher: it runs the C shim it compiled on first use",
  missing: 'missing',
  other: 'not an sshcc build',
};

/** `sshcc doctor`'s readable form: one section per thing checked, then every problem with its fix. */
export function formatDoctorReport(report: DoctorReport): string {
  return [hostListSection(report), hostsSection(report), clientSection(report), masqueradeSection(report), historySection(report), problemsSection(report.problems)].join('\n');
}

function historySection({ history }: DoctorReport): string {
  const head = `compiles so far (${history.file}):`;
  if (history.unreadable !== null) return `${head} unreadable: ${history.unreadable}\n`;
  if (history.total === 0) return `${head} none counted yet\n`;
  const reasons = history.localByReason.map(({ reason, jobs }) => `${reason} ${jobs}`).join(', ');
  return `${head}\n${indent(
    formatFields([
      ['since', `${history.since} (sshcc stats -z starts over)`],
      ['remote', `${history.remote} of ${history.total}`],
      ['here', reasons === '' ? String(history.local) : `${history.local}: ${reasons}`],
    ]),
  )}`;
}

function hostListSection({ hostList }: DoctorReport): string {
  if (hostList.error !== null) return `host list: unreadable\n  ${hostList.error}\n`;
  const looked = `looked at ${hostList.searched.map(hostSourceLabel).join(', ')}`;
  if (hostList.source.kind === 'none') return `host list: none (${looked})\n`;
  const header = `host list: ${hostSourceLabel(hostList.source)} (${looked})\n`;
  if (hostList.hosts.length === 0) return `${header}  no hosts\n`;
  return header + indent(formatTable([['spec', 'destination', 'slots'], ...hostList.hosts.map((host) => [host.spec, host.destination, String(host.slots)])]));
}

function hostsSection({ hosts }: DoctorReport): string {
  if (hosts.length === 0) return 'volunteers: none to check\n';
  return `volunteers:\n${indent(formatPingReports(hosts))}`;
}

function clientSection({ client }: DoctorReport): string {
  const onPath = client.onPath === null ? 'none' : `${client.onPath.path} (${client.onPath.sameAsSelf ? 'this one' : KIND_WORDS[client.onPath.kind]})`;
  const cc = `${client.cc.name}: ${client.cc.path ?? 'not on PATH'}`;
  return `sshcc:\n${indent(formatFields([['this', `${client.self.path} (${KIND_WORDS[client.self.kind]})`], ['on PATH', onPath], ['C compiler', cc]]))}`;
}

function masqueradeSection({ masquerade }: DoctorReport): string {
  if (masquerade.length === 0) return 'masquerade: no folder of links to sshcc on PATH (check one with --masquerade DIR)\n';
  return `masquerade:\n${indent(masquerade.map(masqueradeLine).join(''))}`;
}

function masqueradeLine(dir: Masquerade): string {
  const where = dir.pathIndex === null ? 'not on PATH' : `PATH entry ${dir.pathIndex + 1}`;
  const groups = new Map<string, string[]>();
  for (const link of dir.links) groups.set(link.state, [...(groups.get(link.state) ?? []), link.name]);
  const words: Record<string, string> = { self: 'lead to this sshcc', 'other-sshcc': 'lead to another sshcc', elsewhere: 'lead elsewhere', dangling: 'broken', absent: 'absent' };
  return `${dir.dir}: ${where}; ${[...groups].map(([state, names]) => `${names.join(', ')} ${words[state] ?? state}`).join('; ')}\n`;
}

function problemsSection(problems: readonly Problem[]): string {
  if (problems.length === 0) return 'no problems found\n';
  const blocks = problems.map((problem) => {
    const fields: [string, string][] = [['fix', problem.fix]];
    if (problem.command !== null) fields.push(['run', problem.command]);
    return `${problem.severity} ${problem.subject}: ${problem.message}\n${indent(formatFields(fields))}`;
  });
  return `problems (${problems.length}):\n${indent(blocks.join('\n'))}`;
}
