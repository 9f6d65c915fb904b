import { DoctorReportSchema, type DoctorReport } from '../doctor';
import { unreachableReport } from '../ping/test-ping-reports';
import { formatDoctorReport } from './format-doctor-report';

const SELF = '/opt/sshcc/dist/sshcc';

// Parsed, as doctor's own output is: ping's report types are readonly, the schema's are not.
const REPORT: DoctorReport = DoctorReportSchema.parse({
  ok: false,
  hostList: {
    source: { kind: 'file', path: '/home/me/.sshcc/hosts' },
    searched: [
      { kind: 'env', name: 'SSHCC_HOSTS' },
      { kind: 'file', path: '/home/me/.sshcc/hosts' },
    ],
    error: null,
    warnings: [],
    hosts: [
      { spec: 'localhost/2', kind: 'local', destination: 'this machine', slots: 2 },
      { spec: 'me@build1:2222/8', kind: 'ssh', destination: 'me@build1:2222', slots: 8 },
    ],
  },
  hosts: [{ ...unreachableReport('me@build1:2222/8', 'me@build1:2222'), slots: 8 }],
  client: { self: { path: SELF, kind: 'launcher' }, onPath: { path: SELF, kind: 'launcher', sameAsSelf: true }, cc: { name: 'cc', path: null } },
  masquerade: [
    {
      dir: '/home/me/.sshcc/bin',
      pathIndex: 6,
      links: [
        { name: 'gcc', path: '/home/me/.sshcc/bin/gcc', state: 'self', target: SELF },
        { name: 'g++', path: '/home/me/.sshcc/bin/g++', state: 'self', target: SELF },
        { name: 'cc', path: '/home/me/.sshcc/bin/cc', state: 'dangling', target: '/old/sshcc' },
      ],
      shadowedBy: [],
      ccacheAfter: null,
    },
  ],
  path: ['/usr/bin', '/home/me/.sshcc/bin'],
  packsEnabled: true,
  history: {
    file: '/home/me/.sshcc/stats.json',
    since: '2026-12-01T10:00:00.000Z',
    updated: '2026-12-07T23:00:00.000Z',
    total: 120,
    remote: 20,
    local: 100,
    localByReason: [
      { reason: 'fallback', jobs: 90 },
      { reason: 'link', jobs: 10 },
    ],
    unreadable: null,
  },
  problems: [
    {
      code: 'unreachable',
      severity: 'error',
      subject: 'me@build1:2222/8',
      message: 'sshcc: connect: cannot connect to me@build1:2222: connection refused',
      fix: 'check the host name and port',
      command: 'ssh -v -p 2222 me@build1 true',
    },
    { code: 'host-list-warning', severity: 'warning', subject: 'host list', message: 'skipped "box"', fix: 'edit the list', command: null },
  ],
});

describe('formatDoctorReport', () => {
  it('prints a section per thing checked, then each problem with its fix and command', () => {
    expect(formatDoctorReport(REPORT)).toBe(
      [
        'host list: /home/me/.sshcc/hosts (looked at SSHCC_HOSTS, /home/me/.sshcc/hosts)',
        '  spec              destination     slots',
        '  localhost/2       this machine    2',
        '  me@build1:2222/8  me@build1:2222  8',
        '',
        'volunteers:',
        '  me@build1:2222/8: UNUSABLE',
        '    error:  sshcc: connect: cannot connect to me@build1:2222: connection refused',
        '    ssh:    reachable: no, host key: not tried, auth: not tried',
        '',
        'sshcc:',
        `  this:        ${SELF} (the sh launcher: Node starts for every compile)`,
        `  on PATH:     ${SELF} (this one)`,
        '  C compiler:  cc: not on PATH',
        '',
        'masquerade:',
        '  /home/me/.sshcc/bin: PATH entry 7; gcc, g++ lead to this sshcc; cc broken',
        '',
        'compiles so far (/home/me/.sshcc/stats.json):',
        '  since:   2026-12-01T10:00:00.000Z (sshcc stats -z starts over)',
        '  remote:  20 of 120',
        '  here:    100: fallback 90, link 10',
        '',
        'problems (2):',
        '  error me@build1:2222/8: sshcc: connect: cannot connect to me@build1:2222: connection refused',
        '    fix:  check the host name and port',
        '    run:  ssh -v -p 2222 me@build1 true',
        '',
        '  warning host list: skipped "box"',
        '    fix:  edit the list',
        '',
      ].join('\n'),
    );
  });

  it('says so when there is nothing to check and nothing wrong', () => {
    const quiet: DoctorReport = {
      ...REPORT,
      ok: true,
      hostList: { ...REPORT.hostList, source: { kind: 'none' }, hosts: [] },
      hosts: [],
      masquerade: [],
      history: { ...REPORT.history, total: 0, remote: 0, local: 0, localByReason: [] },
      problems: [],
    };
    expect(formatDoctorReport(quiet)).toMatch(
      /^host list: none \(looked at SSHCC_HOSTS, \/home\/me\/\.sshcc\/hosts\)\n\nvolunteers: none to check\n\n[^]*\nmasquerade: no folder of links to sshcc on PATH \(check one with --masquerade DIR\)\n\ncompiles so far \(\/home\/me\/\.sshcc\/stats\.json\): none counted yet\n\nno problems found\n$/,
    );
  });
});
