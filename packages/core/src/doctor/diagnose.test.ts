import { diagnose, type DoctorFindings, type DoctorProblem, type HostFinding, type MasqueradeFinding } from '@sshcc/core';

const SELF = '/opt/sshcc/dist/sshcc';
const PATH = ['/home/me/bin', '/usr/local/bin', '/usr/bin', '/bin'];

const HOST: HostFinding = {
  spec: 'me@build1:2222/8',
  target: { host: 'build1', user: 'me', port: 2222 },
  failure: null,
  reachable: true,
  authOk: true,
  server: { version: 'sshcc-server/0.1.0', noPush: null },
  compilers: [
    { name: 'gcc', status: 'match', detail: null },
    { name: 'clang', status: 'not-here', detail: "no clang on this machine's PATH" },
  ],
  clock: { skewMs: 12, uncertaintyMs: 0.4 },
};

const MASQ: MasqueradeFinding = {
  dir: '/home/me/.sshcc/bin',
  pathIndex: 0,
  links: [
    { name: 'gcc', path: '/home/me/.sshcc/bin/gcc', state: 'self', target: SELF },
    { name: 'clang', path: '/home/me/.sshcc/bin/clang', state: 'absent', target: null },
  ],
  shadowedBy: [],
  ccacheAfter: null,
};

const HEALTHY: DoctorFindings = {
  hostList: { source: { kind: 'env', name: 'SSHCC_HOSTS' }, searched: [{ kind: 'env', name: 'SSHCC_HOSTS' }], error: null, warnings: [], remoteHosts: 1 },
  hosts: [HOST],
  client: { self: { path: SELF, kind: 'shim' }, onPath: { path: SELF, kind: 'shim', sameAsSelf: true }, cc: { name: 'cc', path: '/usr/bin/cc' } },
  masquerade: [MASQ],
  path: [MASQ.dir, ...PATH],
  packsEnabled: true,
  knownHostsFile: '/home/me/.ssh/known_hosts',
};

const failing = (code: NonNullable<HostFinding['failure']>['code'], message: string, stages: Partial<HostFinding> = {}): DoctorFindings => ({
  ...HEALTHY,
  hosts: [{ ...HOST, failure: { code, message }, server: null, compilers: [], clock: null, ...stages }],
});
const withHost = (host: Partial<HostFinding>): DoctorFindings => ({ ...HEALTHY, hosts: [{ ...HOST, ...host }] });
const withMasq = (dir: Partial<MasqueradeFinding>, path = HEALTHY.path): DoctorFindings => ({ ...HEALTHY, masquerade: [{ ...MASQ, ...dir }], path });

type Expected = Pick<DoctorProblem, 'code' | 'severity' | 'subject' | 'command'>;

describe('diagnose', () => {
  it.each<[string, DoctorFindings, Expected[]]>([
    ['nothing wrong: no problems', HEALTHY, []],
    [
      'no host list at all',
      { ...HEALTHY, hosts: [], hostList: { ...HEALTHY.hostList, source: { kind: 'none' }, remoteHosts: 0 } },
      [{ code: 'no-host-list', severity: 'error', subject: 'host list', command: "export SSHCC_HOSTS='user@volunteer/4'" }],
    ],
    [
      'a list of localhost only',
      { ...HEALTHY, hosts: [], hostList: { ...HEALTHY.hostList, source: { kind: 'file', path: '/home/me/.sshcc/hosts' }, remoteHosts: 0 } },
      [{ code: 'no-remote-hosts', severity: 'error', subject: 'host list', command: null }],
    ],
    [
      'a list that does not parse',
      { ...HEALTHY, hosts: [], hostList: { ...HEALTHY.hostList, error: 'sshcc: host list: SSHCC_HOSTS: unknown option "frob"', remoteHosts: 0 } },
      [{ code: 'host-list-unreadable', severity: 'error', subject: 'host list', command: null }],
    ],
    [
      'a skipped DISTCC_HOSTS entry',
      { ...HEALTHY, hostList: { ...HEALTHY.hostList, source: { kind: 'env', name: 'DISTCC_HOSTS' }, warnings: ['DISTCC_HOSTS: skipped "box" (plain TCP)'] } },
      [{ code: 'host-list-warning', severity: 'warning', subject: 'host list', command: null }],
    ],
    [
      'a wrong port: nothing answers',
      failing('connect', 'sshcc: connect: cannot connect to me@build1:2222: connection refused', { reachable: false, authOk: null }),
      [{ code: 'unreachable', severity: 'error', subject: HOST.spec, command: 'ssh -v -p 2222 me@build1 true' }],
    ],
    [
      'an unknown host key',
      failing('host-key', 'sshcc: host key: no known_hosts entry for [build1]:2222', { authOk: null }),
      [{ code: 'host-key-unknown', severity: 'error', subject: HOST.spec, command: 'ssh-keyscan -p 2222 build1 >> /home/me/.ssh/known_hosts' }],
    ],
    [
      'a changed host key',
      failing('host-key', 'sshcc: host key: host key for [build1]:2222 changed: refusing', { authOk: null }),
      [{ code: 'host-key-changed', severity: 'error', subject: HOST.spec, command: "ssh-keygen -f /home/me/.ssh/known_hosts -R '[build1]:2222' && ssh-keyscan -p 2222 build1 >> /home/me/.ssh/known_hosts" }],
    ],
    [
      'an unknown host key of an alias: keyscan gets the name ssh_config resolved it to',
      { ...failing('host-key', 'sshcc: host key: no known_hosts entry for [10.0.0.7]:2200 (run `ssh -p 2200 me@10.0.0.7` once to accept its key)', { authOk: null }) },
      [{ code: 'host-key-unknown', severity: 'error', subject: HOST.spec, command: 'ssh-keyscan -p 2200 10.0.0.7 >> /home/me/.ssh/known_hosts' }],
    ],
    [
      'a changed host key on port 22',
      failing('host-key', 'sshcc: host key: host key for build1.lan changed: refusing (it offers ssh-ed25519 SHA256:x; known_hosts:3 has ssh-rsa SHA256:y)', { authOk: null }),
      [{ code: 'host-key-changed', severity: 'error', subject: HOST.spec, command: 'ssh-keygen -f /home/me/.ssh/known_hosts -R build1.lan && ssh-keyscan build1.lan >> /home/me/.ssh/known_hosts' }],
    ],
    [
      'every key refused',
      failing('auth', 'sshcc: auth: me@build1:2222 refused every key', { authOk: false }),
      [{ code: 'auth-refused', severity: 'error', subject: HOST.spec, command: 'ssh-copy-id -p 2222 me@build1' }],
    ],
    [
      'no key to offer at all (found before dialling)',
      failing('auth', 'sshcc: auth: no key to offer', { reachable: null, authOk: false }),
      [{ code: 'no-ssh-key', severity: 'error', subject: HOST.spec, command: 'ssh-keygen -t ed25519 && ssh-copy-id -p 2222 me@build1' }],
    ],
    [
      'no sshcc-server there: the shell cannot find it',
      failing('protocol', 'sshcc: protocol: cannot start sshcc-server on me@build1:2222 (exec ~/.local/lib/sshcc/sshcc-server: channel closed during the handshake (stderr: sh: 1: /home/me/.local/lib/sshcc/sshcc-server: not found))'),
      [{ code: 'server-not-installed', severity: 'error', subject: HOST.spec, command: 'sshcc install-server me@build1:2222/8' }],
    ],
    [
      'a server that starts and fails',
      failing('protocol', 'sshcc: protocol: no common protocol version: sshcc-server speaks 9, this client 1'),
      [{ code: 'server-failed', severity: 'error', subject: HOST.spec, command: 'sshcc install-server me@build1:2222/8' }],
    ],
    [
      'no compiler matches, and a pack will be pushed: fine',
      withHost({ compilers: [{ name: 'gcc', status: 'mismatch', detail: 'driver binary differs' }] }),
      [],
    ],
    ['no compiler there at all, and a pack will be pushed: fine', withHost({ compilers: [] }), []],
    [
      'a probe that failed there, and nothing matched: no pack would follow',
      withHost({ compilers: [{ name: 'gcc', status: 'failed', detail: 'the probe compile failed there: cc1: out of memory' }] }),
      [{ code: 'probe-failed', severity: 'error', subject: HOST.spec, command: 'SSHCC_HOSTS=me@build1:2222/8 sshcc ping --timeout 30' }],
    ],
    [
      'the server answered, then a probe timed out',
      withHost({ failure: { code: 'timeout', message: 'sshcc: timeout: no answer to a gcc probe within 10 s' }, compilers: [] }),
      [{ code: 'probe-failed', severity: 'error', subject: HOST.spec, command: 'SSHCC_HOSTS=me@build1:2222/8 sshcc ping --timeout 30' }],
    ],
    [
      'no compiler matches and SSHCC_PACKS=0',
      { ...withHost({ compilers: [{ name: 'gcc', status: 'mismatch', detail: 'driver binary differs' }] }), packsEnabled: false },
      [{ code: 'packs-off', severity: 'error', subject: HOST.spec, command: 'unset SSHCC_PACKS && sshcc agent stop' }],
    ],
    [
      'no compiler matches on another arch',
      withHost({ compilers: [{ name: 'gcc', status: 'mismatch', detail: 'driver binary differs' }], server: { version: 'sshcc-server/0.1.0', noPush: 'it is arm64, this machine x64' } }),
      [{ code: 'no-matching-compiler', severity: 'error', subject: HOST.spec, command: null }],
    ],
    ['a clock a few ms off: fine', withHost({ clock: { skewMs: -40, uncertaintyMs: 2 } }), []],
    [
      'a clock an hour ahead',
      withHost({ clock: { skewMs: 3_600_000, uncertaintyMs: 0.5 } }),
      [{ code: 'clock-skew', severity: 'warning', subject: HOST.spec, command: 'sudo timedatectl set-ntp true' }],
    ],
    [
      'the C shim did not build: no C compiler',
      { ...HEALTHY, client: { self: { path: SELF, kind: 'launcher' }, onPath: { path: SELF, kind: 'launcher', sameAsSelf: true }, cc: { name: 'cc', path: null } } },
      [{ code: 'no-shim', severity: 'warning', subject: 'sshcc', command: 'sudo apt-get install gcc && npm run build' }],
    ],
    [
      'the C shim did not build with the C compiler there',
      { ...HEALTHY, client: { ...HEALTHY.client, self: { path: SELF, kind: 'launcher' }, onPath: { path: SELF, kind: 'launcher', sameAsSelf: true } } },
      [{ code: 'no-shim', severity: 'warning', subject: 'sshcc', command: 'npm run build' }],
    ],
    [
      'no sshcc on PATH',
      { ...HEALTHY, client: { ...HEALTHY.client, onPath: null } },
      [{ code: 'sshcc-not-on-path', severity: 'error', subject: 'sshcc', command: 'export PATH="/opt/sshcc/dist:$PATH"' }],
    ],
    [
      'another sshcc first on PATH',
      { ...HEALTHY, client: { ...HEALTHY.client, onPath: { path: '/usr/bin/sshcc', kind: 'other', sameAsSelf: false } } },
      [{ code: 'other-sshcc-on-path', severity: 'warning', subject: 'sshcc', command: 'export PATH="/opt/sshcc/dist:$PATH"' }],
    ],
    [
      'the masquerade folder not on PATH',
      withMasq({ pathIndex: null }, PATH),
      [{ code: 'masquerade-not-on-path', severity: 'error', subject: MASQ.dir, command: 'export PATH="/home/me/.sshcc/bin:$PATH"' }],
    ],
    [
      'the masquerade folder after /usr/bin',
      withMasq({ pathIndex: 4, shadowedBy: [{ name: 'gcc', path: '/usr/bin/gcc' }] }, [...PATH, MASQ.dir]),
      [{ code: 'masquerade-shadowed', severity: 'error', subject: MASQ.dir, command: 'export PATH="/home/me/.sshcc/bin:$PATH"' }],
    ],
    [
      'the masquerade folder before ccache\'s',
      withMasq({ ccacheAfter: '/usr/lib/ccache' }, [MASQ.dir, '/usr/lib/ccache', ...PATH]),
      [{ code: 'masquerade-before-ccache', severity: 'error', subject: MASQ.dir, command: `export CCACHE_PREFIX=sshcc PATH=/usr/lib/ccache:${PATH.join(':')}` }],
    ],
    [
      'links that do not lead to this sshcc',
      withMasq({
        links: [
          { name: 'gcc', path: `${MASQ.dir}/gcc`, state: 'dangling', target: '/old/dist/sshcc' },
          { name: 'g++', path: `${MASQ.dir}/g++`, state: 'other-sshcc', target: '/usr/bin/sshcc' },
          { name: 'cc', path: `${MASQ.dir}/cc`, state: 'elsewhere', target: '/usr/bin/gcc' },
        ],
      }),
      [
        { code: 'masquerade-link', severity: 'error', subject: MASQ.dir, command: `ln -sfn ${SELF} ${MASQ.dir}/gcc` },
        { code: 'masquerade-link', severity: 'error', subject: MASQ.dir, command: `ln -sfn ${SELF} ${MASQ.dir}/g++` },
        { code: 'masquerade-link', severity: 'warning', subject: MASQ.dir, command: null },
      ],
    ],
  ])('%s', (_what, findings, expected) => {
    expect(diagnose(findings).map(({ code, severity, subject, command }) => ({ code, severity, subject, command }))).toEqual(expected);
  });

  it('quotes a folder for the double quotes that keep $PATH expanding', () => {
    const [problem] = diagnose(withMasq({ dir: '/tmp/a "b" $c', pathIndex: null }, PATH));
    expect(problem?.command).toBe('export PATH="/tmp/a \\"b\\" \\$c:$PATH"');
  });

  it('says what is wrong and what to do in words a person can act on', () => {
    const [skew] = diagnose(withHost({ clock: { skewMs: -2_450, uncertaintyMs: 25 } }));
    expect(skew?.message).toBe("its clock is 2.5 s behind this machine's (± 0.025 s); __DATE__ and __TIME__ in objects compiled there use its clock (more than 1 s shows in them)");
    const [shadowed] = diagnose(withMasq({ pathIndex: 4, shadowedBy: [{ name: 'gcc', path: '/usr/bin/gcc' }, { name: 'cc', path: '/usr/bin/cc' }] }, [...PATH, MASQ.dir]));
    expect(shadowed?.message).toBe('PATH lists /usr/bin before it, so `gcc` runs /usr/bin/gcc, not sshcc (gcc, cc)');
  });
});
