import { whyNoPush } from '../compile/toolchain-packs';
import { formatPingReports } from './format-ping-report';
import type { PingReport, PingServer } from './ping-report';
import { unreachableReport } from './test-ping-reports';

const here = { path: '/usr/bin/gcc', version: '(Debian 12.2.0-14) 12.2.0', target: 'x86_64-linux-gnu', driver: 'a'.repeat(64) };

const GOOD: PingReport = {
  host: 'fast/8',
  destination: 'me@10.0.0.2:22',
  usable: true,
  reachable: true,
  hostKeyOk: true,
  authOk: true,
  server: {
    mode: 'exec',
    command: '~/.local/lib/sshcc/sshcc-server',
    version: 'sshcc-server/0.1.0',
    protocol: 1,
    protocols: [1],
    compression: 'zstd',
    cpus: 16,
    load: [0.5, 1, 2.25],
    capacity: { cap: 16, busy: 12, waiting: 3, load1: 0.5, cpus: 16 },
    arch: 'x64',
    packs: [
      { id: 'ac983e49fb33'.padEnd(64, '0'), compiler: 'gcc (Debian 12.2.0-14) 12.2.0' },
      { id: '0123456789ab'.padEnd(64, 'f'), compiler: null },
    ],
    noPush: null,
  },
  compilers: [
    { name: 'cc', status: 'match', here, detail: null },
    { name: 'clang', status: 'not-here', here: null, detail: 'no clang on this machine\'s PATH' },
    { name: 'gcc', status: 'match', here, detail: null },
    { name: 'gcc-13', status: 'mismatch', here, detail: 'gcc-13: version "13.1" on the client, "13.2" here' },
    { name: 'g++', status: 'failed', here, detail: 'timeout: killed after 10 s' },
  ],
  timings: { connectMs: 84.26, startMs: 120, rttMs: 0.61 },
  clock: { skewMs: -12.4, uncertaintyMs: 0.3 },
  error: null,
  notes: ['skipped ~/.ssh/id_rsa: encrypted'],
};

const GONE = unreachableReport('slow', 'me@slow:22');

describe('formatPingReports', () => {
  it('prints a block per host: what it runs, how fast, which compilers match and why not', () => {
    expect(formatPingReports([GOOD, GONE])).toBe(
      [
        'fast/8: ok (me@10.0.0.2:22)',
        '  server:     sshcc-server/0.1.0, protocol 1, zstd, by exec ~/.local/lib/sshcc/sshcc-server',
        '  machine:    x64, 16 cpus, load 0.50 1.00 2.25',
        '  slots:      12/16, 3 queued (in use by all its clients / its cap)',
        '  time:       connect 84 ms, server start 120 ms, round trip 0.6 ms',
        '  clock:      0.012 s behind this machine (± 0.000 s)',
        '  compilers:  match: cc, gcc; not on this machine: clang; differ: gcc-13; failed: g++',
        '  why:        gcc-13: version "13.1" on the client, "13.2" here',
        '  why:        g++: timeout: killed after 10 s',
        "  packs:      ac983e49fb33 gcc (Debian 12.2.0-14) 12.2.0; 0123456789ab (not in this machine's pack cache)",
        '  note:       skipped ~/.ssh/id_rsa: encrypted',
        '',
        'slow: UNUSABLE',
        '  error:  sshcc: connect: cannot connect to me@slow:22: connection refused',
        '  ssh:    reachable: no, host key: not tried, auth: not tried',
        '',
      ].join('\n'),
    );
  });
});

describe('what ping says about toolchain packs', () => {
  /** GOOD's server as a hello with these fields would describe it to a client on x64. */
  function serverWith(hello: { arch?: string; packs?: string[] }): PingReport {
    const server: PingServer = {
      ...(GOOD.server as PingServer),
      arch: hello.arch ?? null,
      packs: hello.packs?.map((id) => ({ id, compiler: null })) ?? null,
      noPush: whyNoPush(hello, 'x64'),
      capacity: null,
    };
    return { ...GOOD, compilers: [], notes: [], server };
  }

  function fieldLines(report: PingReport): string[] {
    return formatPingReports([report])
      .split('\n')
      .filter((line) => /^ {2}(machine|packs|no push):/.test(line));
  }

  it('a volunteer of this arch that holds no pack yet: none, and nothing stops a push', () => {
    expect(fieldLines(serverWith({ arch: 'x64', packs: [] }))).toEqual(['  machine:    x64, 16 cpus, load 0.50 1.00 2.25', '  packs:      none']);
  });

  it('a volunteer of another arch: says it cannot run this machine\'s compilers and gets no pack', () => {
    expect(fieldLines(serverWith({ arch: 'arm64', packs: [] }))).toEqual([
      '  machine:    arm64, 16 cpus, load 0.50 1.00 2.25',
      '  packs:      none',
      "  no push:    it is arm64, this machine x64: it cannot run this machine's compilers, so it takes only jobs whose compiler it has itself with an identical fingerprint",
    ]);
  });

  it('a server that takes no packs says so', () => {
    expect(fieldLines(serverWith({ arch: 'x64' }))).toEqual([
      '  machine:    x64, 16 cpus, load 0.50 1.00 2.25',
      '  packs:      takes none',
      '  no push:    its sshcc-server takes no toolchain packs (an older version, or toolchains.enabled is false)',
    ]);
  });

  it('an older server that names no arch: the machine line is as before', () => {
    expect(fieldLines(serverWith({}))).toEqual(['  machine:    16 cpus, load 0.50 1.00 2.25', '  packs:      takes none', expect.stringMatching(/^ {2}no push: {4}its sshcc-server takes no toolchain packs/)]);
  });
});
