import { shellQuote, shellQuoteArg } from '../shell';
import { CLOCK_SKEW_LIMIT_MS, isSkewTooLarge } from './clock-skew';
import type { ClientFinding, DoctorFindings, HostFinding, HostListFinding, MasqueradeFinding, SshTargetFinding } from './doctor-findings';

// Turns what `sshcc doctor` found into problems, each with what to do and, where one command does it,
// that command, ready to paste. Pure: the client gathers the findings.

/** Every kind of problem; also the `code` of each entry in `sshcc doctor --json`. */
export const DOCTOR_PROBLEM_CODES = [
  'host-list-unreadable',
  'host-list-warning',
  'no-host-list',
  'no-remote-hosts',
  'unreachable',
  'host-key-unknown',
  'host-key-changed',
  'no-ssh-key',
  'auth-refused',
  'ssh-config',
  'server-not-installed',
  'server-failed',
  'probe-failed',
  'no-matching-compiler',
  'packs-off',
  'clock-skew',
  'sshcc-not-on-path',
  'other-sshcc-on-path',
  'no-shim',
  'masquerade-not-on-path',
  'masquerade-shadowed',
  'masquerade-link',
  'masquerade-before-ccache',
] as const;
export type DoctorProblemCode = (typeof DOCTOR_PROBLEM_CODES)[number];

export interface DoctorProblem {
  readonly code: DoctorProblemCode;
  /** `error`: compiles that should go remote cannot; `warning`: they can, slower or not as they should. */
  readonly severity: 'error' | 'warning';
  /** What it is about: a host spec, `host list`, `sshcc`, or a masquerade folder. */
  readonly subject: string;
  readonly message: string;
  /** What to do, in words. */
  readonly fix: string;
  /** The command that does it, when one does; null when the fix needs a person's judgement first. */
  readonly command: string | null;
}

export function diagnose(findings: DoctorFindings): DoctorProblem[] {
  return [
    ...hostListProblems(findings.hostList),
    ...findings.hosts.flatMap((host) => hostProblems(host, findings)),
    ...clientProblems(findings.client),
    ...findings.masquerade.flatMap((dir) => masqueradeProblems(dir, findings)),
  ];
}

function hostListProblems(list: HostListFinding): DoctorProblem[] {
  const subject = 'host list';
  const where = list.source.kind === 'env' ? list.source.name : list.source.kind === 'file' ? list.source.path : null;
  if (list.error !== null) {
    return [{ code: 'host-list-unreadable', severity: 'error', subject, message: list.error, fix: `correct the entry it names${where === null ? '' : ` in ${where}`}`, command: null }];
  }
  const problems: DoctorProblem[] = list.warnings.map((warning) => ({
    code: 'host-list-warning',
    severity: 'warning',
    subject,
    message: warning,
    fix: `edit ${where ?? 'the host list'} so that every entry is one sshcc can use`,
    command: null,
  }));
  if (list.source.kind === 'none') {
    problems.push({
      code: 'no-host-list',
      severity: 'error',
      subject,
      message: 'no host list is set, so every compile runs on this machine',
      fix: 'name your volunteers (user@host[:port]/slots) in SSHCC_HOSTS or ~/.sshcc/hosts',
      command: "export SSHCC_HOSTS='user@volunteer/4'",
    });
  } else if (list.remoteHosts === 0) {
    problems.push({
      code: 'no-remote-hosts',
      severity: 'error',
      subject,
      message: `${where} lists no remote host, so every compile runs on this machine`,
      fix: `add volunteers (user@host[:port]/slots) to ${where}`,
      command: null,
    });
  }
  return problems;
}

function hostProblems(host: HostFinding, findings: DoctorFindings): DoctorProblem[] {
  if (host.failure !== null && host.server === null) return [connectionProblem(host, host.failure, findings.knownHostsFile)];
  const probe = host.failure ?? failedProbe(host);
  const compilers = probe === null ? compilerProblems(host, findings.packsEnabled) : [probeProblem(host, probe.message)];
  return [...compilers, ...clockProblems(host)];
}

function probeProblem(host: HostFinding, why: string): DoctorProblem {
  return {
    code: 'probe-failed',
    severity: 'error',
    subject: host.spec,
    message: `its server answered, but checking it failed: ${why}`,
    fix: "see ping's `why:` lines, with more time; a refusal means the volunteer's server.json does not allow that compiler",
    command: `SSHCC_HOSTS=${shellQuoteArg(host.spec)} sshcc ping --timeout 30`,
  };
}

/** No compiler matched and a probe ran into trouble there: no pack push would follow, so it is a problem. */
function failedProbe(host: HostFinding): { readonly message: string } | null {
  if (host.compilers.some((compiler) => compiler.status === 'match')) return null;
  const failed = host.compilers.find((compiler) => compiler.status === 'failed' || compiler.status === 'refused');
  return failed === undefined ? null : { message: `${failed.name}: ${failed.detail ?? failed.status}` };
}

/** `[-p PORT] [user@]host`, as ssh, ssh-copy-id and ssh-keyscan take it. */
function sshArgs(target: SshTargetFinding, withUser = true): string[] {
  const destination = withUser && target.user !== null ? `${target.user}@${target.host}` : target.host;
  return [...(target.port === null ? [] : ['-p', String(target.port)]), destination];
}

/**
 * How known_hosts names the host (`[host]:port` off port 22), and the ssh-keyscan arguments that reach it.
 * The pool's host-key message names it as it looked it up, ssh_config's HostName and Port applied; an
 * alias from the host list means nothing to ssh-keyscan, which reads no ssh_config.
 */
function knownHostsName(failure: HostFailure, target: SshTargetFinding): { name: string; keyscan: string[] } {
  const named = /for (\[([^\]]+)\]:(\d+)|([^\s:]+))[: ]/.exec(`${failure.message} `);
  if (named?.[2] !== undefined && named[3] !== undefined) return { name: named[1] as string, keyscan: ['-p', named[3], named[2]] };
  if (named?.[4] !== undefined) return { name: named[4], keyscan: [named[4]] };
  const name = target.port === null || target.port === 22 ? target.host : `[${target.host}]:${target.port}`;
  return { name, keyscan: sshArgs(target, false) };
}

type HostFailure = NonNullable<HostFinding['failure']>;

function connectionProblem(host: HostFinding, failure: HostFailure, knownHostsFile: string): DoctorProblem {
  const base = { severity: 'error' as const, subject: host.spec, message: failure.message };
  const known = knownHostsName(failure, host.target);
  const keyscan = `${shellQuote(['ssh-keyscan', ...known.keyscan])} >> ${shellQuoteArg(knownHostsFile)}`;
  switch (failure.code) {
    case 'connect':
    case 'timeout':
      return { ...base, code: 'unreachable', fix: 'check the host name and port in the host list (and ~/.ssh/config), and that sshd runs there; ssh -v shows where it stops', command: shellQuote(['ssh', '-v', ...sshArgs(host.target), 'true']) };
    case 'host-key':
      if (/no known_hosts entry/.test(failure.message)) {
        return { ...base, code: 'host-key-unknown', fix: `add its host key to ${knownHostsFile}, after checking the fingerprint against the volunteer's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there)`, command: keyscan };
      }
      return {
        ...base,
        code: 'host-key-changed',
        fix: `if the volunteer was reinstalled (ask its owner: a changed key can also be an attack), forget the old key and add the new one to ${knownHostsFile}`,
        command: `${shellQuote(['ssh-keygen', '-f', knownHostsFile, '-R', known.name])} && ${keyscan}`,
      };
    case 'auth':
      if (host.reachable === null) {
        return { ...base, code: 'no-ssh-key', fix: 'make a key (or load one into ssh-agent), then install it on the volunteer', command: `ssh-keygen -t ed25519 && ${shellQuote(['ssh-copy-id', ...sshArgs(host.target)])}` };
      }
      return { ...base, code: 'auth-refused', fix: 'install your public key on the volunteer (sshcc logs in as ssh does, with BatchMode: no passwords)', command: shellQuote(['ssh-copy-id', ...sshArgs(host.target)]) };
    case 'config':
      return { ...base, code: 'ssh-config', fix: 'correct the ssh configuration it names (ssh -G shows what ssh makes of it)', command: shellQuote(['ssh', '-G', ...sshArgs(host.target)]) };
    default:
      if (/cannot start sshcc-server/.test(failure.message) && /not found|No such file or directory/.test(failure.message)) {
        return { ...base, code: 'server-not-installed', fix: 'install sshcc-server there (per user, no root needed)', command: shellQuote(['sshcc', 'install-server', host.spec]) };
      }
      return { ...base, code: 'server-failed', fix: 'install (or upgrade to) this version of sshcc-server there; its --check says what it lacks', command: shellQuote(['sshcc', 'install-server', host.spec]) };
  }
}

function compilerProblems(host: HostFinding, packsEnabled: boolean): DoctorProblem[] {
  if (host.compilers.some((compiler) => compiler.status === 'match')) return [];
  const differ = host.compilers.filter((compiler) => compiler.status !== 'not-here').map((compiler) => compiler.name);
  const what = host.compilers.length === 0 ? 'it offers no compiler' : differ.length === 0 ? `none of its compilers (${host.compilers.map((c) => c.name).join(', ')}) is on this machine` : `none of its compilers matches this machine's (${differ.join(', ')} differ)`;
  const noPush = host.server?.noPush ?? null;
  if (noPush === null && packsEnabled) return []; // the agent pushes this machine's compiler there at the first job
  const base = { severity: 'error' as const, subject: host.spec };
  if (noPush === null) {
    return [{ ...base, code: 'packs-off', message: `${what}, and SSHCC_PACKS=0 stops the agent sending it yours`, fix: 'let the agent push your compiler there as a toolchain pack (restart the agent after)', command: 'unset SSHCC_PACKS && sshcc agent stop' }];
  }
  return [{ ...base, code: 'no-matching-compiler', message: `${what}, and no toolchain pack can go there: ${noPush}`, fix: "install the same build of your compiler there, or map one of its compilers to yours with ,map=CLIENT:REMOTE in the host list", command: null }];
}

function clockProblems(host: HostFinding): DoctorProblem[] {
  if (host.clock === null || !isSkewTooLarge(host.clock)) return [];
  const seconds = (host.clock.skewMs / 1000).toFixed(1);
  return [
    {
      code: 'clock-skew',
      severity: 'warning',
      subject: host.spec,
      message: `its clock is ${host.clock.skewMs > 0 ? `${seconds} s ahead of` : `${seconds.slice(1)} s behind`} this machine's (± ${(host.clock.uncertaintyMs / 1000).toFixed(3)} s); __DATE__ and __TIME__ in objects compiled there use its clock (more than ${CLOCK_SKEW_LIMIT_MS / 1000} s shows in them)`,
      fix: `turn on time sync on whichever machine is wrong (compare \`date -u\` here and on ${host.target.host} with a reference)`,
      command: 'sudo timedatectl set-ntp true',
    },
  ];
}

function clientProblems(client: ClientFinding): DoctorProblem[] {
  const problems: DoctorProblem[] = [];
  const selfDir = client.self.path.slice(0, client.self.path.lastIndexOf('/'));
  const putFirst = prependToPath(selfDir);
  if (client.self.kind === 'launcher') {
    const why = client.cc.path === null ? `no ${client.cc.name} on PATH to build the C shim with` : `the C shim did not build with ${client.cc.path} (npm run build prints why)`;
    problems.push({
      code: 'no-shim',
      severity: 'warning',
      subject: 'sshcc',
      message: `${client.self.path} is the sh launcher: ${why}, so every compile starts Node (~20 ms more each)`,
      fix: client.cc.path === null ? `install a C compiler as ${client.cc.name} (gcc or clang), then build again` : 'build again and read why the shim failed',
      command: client.cc.path === null ? 'sudo apt-get install gcc && npm run build' : 'npm run build',
    });
  }
  if (client.onPath === null) {
    problems.push({ code: 'sshcc-not-on-path', severity: 'error', subject: 'sshcc', message: 'no sshcc on PATH: `CC="sshcc gcc"` and launchers that name sshcc fail', fix: `put ${selfDir} on PATH`, command: putFirst });
  } else if (!client.onPath.sameAsSelf) {
    problems.push({
      code: 'other-sshcc-on-path',
      severity: 'warning',
      subject: 'sshcc',
      message: `the sshcc on PATH is ${client.onPath.path} (${client.onPath.kind}), not this one (${client.self.path}): builds run that one`,
      fix: `put ${selfDir} first on PATH, or run that sshcc's doctor`,
      command: putFirst,
    });
  }
  return problems;
}

/** `export PATH="DIR:$PATH"`: a folder listed again further on changes nothing, the first one wins. */
function prependToPath(dir: string): string {
  return `export PATH="${dir.replace(/[\\"$`]/g, (c) => `\\${c}`)}:$PATH"`;
}

function masqueradeProblems(dir: MasqueradeFinding, findings: DoctorFindings): DoctorProblem[] {
  const problems: DoctorProblem[] = [];
  const subject = dir.dir;
  const putFirst = prependToPath(dir.dir);
  if (dir.pathIndex === null) {
    problems.push({ code: 'masquerade-not-on-path', severity: 'error', subject, message: 'this masquerade folder is not on PATH, so builds never run its links', fix: 'put it first on PATH', command: putFirst });
  } else if (dir.shadowedBy.length > 0) {
    const first = dir.shadowedBy[0] as { name: string; path: string };
    problems.push({
      code: 'masquerade-shadowed',
      severity: 'error',
      subject,
      message: `PATH lists ${first.path.slice(0, first.path.lastIndexOf('/'))} before it, so \`${first.name}\` runs ${first.path}, not sshcc (${dir.shadowedBy.map((s) => s.name).join(', ')})`,
      fix: 'put the masquerade folder first on PATH',
      command: putFirst,
    });
  }
  if (dir.ccacheAfter !== null) {
    const ccacheFirst = [dir.ccacheAfter, ...findings.path.filter((entry) => entry !== dir.dir && entry !== dir.ccacheAfter)];
    problems.push({
      code: 'masquerade-before-ccache',
      severity: 'error',
      subject,
      message: `PATH lists it before ${dir.ccacheAfter} (ccache's links), so sshcc would run ccache as the compiler`,
      fix: 'let ccache go first and call sshcc on a cache miss: CCACHE_PREFIX=sshcc, with only ccache\'s folder on PATH',
      command: `export CCACHE_PREFIX=sshcc PATH=${shellQuoteArg(ccacheFirst.join(':'))}`,
    });
  }
  for (const link of dir.links) {
    if (link.state === 'self' || link.state === 'absent') continue;
    const what = link.state === 'dangling' ? `a broken link (to ${link.target ?? '?'})` : link.state === 'other-sshcc' ? `a link to another sshcc (${link.target ?? '?'})` : `not a link to sshcc (${link.target ?? 'a file'})`;
    problems.push({
      code: 'masquerade-link',
      severity: link.state === 'elsewhere' ? 'warning' : 'error',
      subject,
      message: `${link.path} is ${what}`,
      fix: link.state === 'elsewhere' ? `move it out of the folder if builds should run ${link.name} through sshcc` : `point it at ${findings.client.self.path}`,
      command: link.state === 'elsewhere' ? null : shellQuote(['ln', '-sfn', findings.client.self.path, link.path]),
    });
  }
  return problems;
}
