import { parseHosts, type HostEntry, type HostSource } from '@sshcc/core';

const SSHCC: HostSource = { kind: 'env', name: 'SSHCC_HOSTS' };
const DISTCC: HostSource = { kind: 'env', name: 'DISTCC_HOSTS' };

function ssh(spec: string, host: string, rest: Partial<Omit<Extract<HostEntry, { kind: 'ssh' }>, 'kind'>> = {}): HostEntry {
  return { kind: 'ssh', spec, host, user: null, port: null, slots: 4, compression: true, compilerMap: [], ...rest };
}

describe('parseHosts: sshcc grammar', () => {
  it.each<[string, HostEntry]>([
    ['localhost', { kind: 'local', spec: 'localhost', slots: 2 }],
    ['localhost/3', { kind: 'local', spec: 'localhost/3', slots: 3 }],
    ['fast', ssh('fast', 'fast')],
    ['@fast', ssh('@fast', 'fast')],
    ['fast/8', ssh('fast/8', 'fast', { slots: 8 })],
    ['fast.example.org/2,nozstd', ssh('fast.example.org/2,nozstd', 'fast.example.org', { slots: 2, compression: false })],
    ['fast,zstd', ssh('fast,zstd', 'fast')],
    ['fast,lzo', ssh('fast,lzo', 'fast')],
    ['bob@fast', ssh('bob@fast', 'fast', { user: 'bob' })],
    ['@bob@fast:2222/6,zstd', ssh('@bob@fast:2222/6,zstd', 'fast', { user: 'bob', port: 2222, slots: 6 })],
    ['fast:22', ssh('fast:22', 'fast', { port: 22 })],
    ['10.0.0.7:2200/1', ssh('10.0.0.7:2200/1', '10.0.0.7', { port: 2200, slots: 1 })],
    ['[::1]:2222', ssh('[::1]:2222', '::1', { port: 2222 })],
    ['me@[fe80::1]/3', ssh('me@[fe80::1]/3', 'fe80::1', { user: 'me', slots: 3 })],
    ['localhost:2222', ssh('localhost:2222', 'localhost', { port: 2222 })],
    ['@localhost', ssh('@localhost', 'localhost')],
    ['build_box-1/256', ssh('build_box-1/256', 'build_box-1', { slots: 256 })],
    ['@armbox/4,map=aarch64-linux-gnu-gcc:gcc', ssh('@armbox/4,map=aarch64-linux-gnu-gcc:gcc', 'armbox', { compilerMap: [{ client: 'aarch64-linux-gnu-gcc', remote: 'gcc' }] })],
    [
      'old/2,map=gcc:gcc-12,nozstd,map=g++:g++-12',
      ssh('old/2,map=gcc:gcc-12,nozstd,map=g++:g++-12', 'old', {
        slots: 2,
        compression: false,
        compilerMap: [
          { client: 'gcc', remote: 'gcc-12' },
          { client: 'g++', remote: 'g++-12' },
        ],
      }),
    ],
    ['box,map=gcc:gcc', ssh('box,map=gcc:gcc', 'box', { compilerMap: [{ client: 'gcc', remote: 'gcc' }] })],
    ['box,map=clang++-15:x86_64-pc-linux-gnu-clang++', ssh('box,map=clang++-15:x86_64-pc-linux-gnu-clang++', 'box', { compilerMap: [{ client: 'clang++-15', remote: 'x86_64-pc-linux-gnu-clang++' }] })],
  ])('%s', (spec, entry) => {
    expect(parseHosts(spec, { source: SSHCC }).hosts).toEqual([entry]);
  });

  it('reads whitespace, newlines, comments and global options', () => {
    const text = [
      '# build farm',
      'localhost/1   fast/8 # the big one',
      '\tbob@slow:2222,nozstd',
      '--randomize --localslots=3',
      '--localslots_cpp=12  #--localslots=9',
      '',
    ].join('\n');
    expect(parseHosts(text, { source: SSHCC })).toEqual({
      source: SSHCC,
      hosts: [
        { kind: 'local', spec: 'localhost/1', slots: 1 },
        ssh('fast/8', 'fast', { slots: 8 }),
        ssh('bob@slow:2222,nozstd', 'slow', { user: 'bob', port: 2222, compression: false }),
      ],
      randomize: true,
      localSlots: 3,
      localSlotsCpp: 12,
      warnings: [],
    });
  });

  it('gives an empty list for empty text or only comments', () => {
    expect(parseHosts('  \n# nothing yet\n', { source: SSHCC })).toEqual({
      source: SSHCC,
      hosts: [],
      randomize: false,
      localSlots: null,
      localSlotsCpp: null,
      warnings: [],
    });
  });

  it('keeps different users or ports on one host apart', () => {
    const hosts = parseHosts('fast a@fast fast:2222 [::1] [::1]:2', { source: SSHCC }).hosts;
    expect(hosts.map((h) => h.spec)).toEqual(['fast', 'a@fast', 'fast:2222', '[::1]', '[::1]:2']);
  });
});

describe('parseHosts: errors name the bad token', () => {
  it.each<[string, string, string | undefined]>([
    ['fast/4,frob', 'SSHCC_HOSTS: unknown option "frob" in "fast/4,frob"', 'known options: zstd, nozstd, lzo, map=CLIENT:REMOTE'],
    ['fast,', 'SSHCC_HOSTS: empty option in "fast,"', 'known options: zstd, nozstd, lzo, map=CLIENT:REMOTE'],
    ['fast/4,lzo,cpp', `SSHCC_HOSTS: option "cpp" in "fast/4,lzo,cpp" asks for distcc's pump mode, which sshcc does not have`, 'sshcc always preprocesses on this machine; remove ",cpp"'],
    ['fast,auth', 'SSHCC_HOSTS: unknown option "auth" in "fast,auth"', 'known options: zstd, nozstd, lzo, map=CLIENT:REMOTE'],
    ['fast,zstd,nozstd', 'SSHCC_HOSTS: options "zstd" and "nozstd" contradict each other in "fast,zstd,nozstd"', undefined],
    ['fast,map', 'SSHCC_HOSTS: unknown option "map" in "fast,map"', 'known options: zstd, nozstd, lzo, map=CLIENT:REMOTE'],
    ['fast,map=', 'SSHCC_HOSTS: bad compiler map "map=" in "fast,map="', 'write map=CLIENT:REMOTE, two compiler names, e.g. map=aarch64-linux-gnu-gcc:gcc'],
    ['fast,map=gcc', 'SSHCC_HOSTS: bad compiler map "map=gcc" in "fast,map=gcc"', 'write map=CLIENT:REMOTE, two compiler names, e.g. map=aarch64-linux-gnu-gcc:gcc'],
    ['fast,map=gcc:', 'SSHCC_HOSTS: bad compiler name "" in "map=gcc:" of "fast,map=gcc:"', 'write map=CLIENT:REMOTE, two compiler names, e.g. map=aarch64-linux-gnu-gcc:gcc'],
    ['fast,map=:gcc', 'SSHCC_HOSTS: bad compiler name "" in "map=:gcc" of "fast,map=:gcc"', 'write map=CLIENT:REMOTE, two compiler names, e.g. map=aarch64-linux-gnu-gcc:gcc'],
    ['fast,map=gcc:gcc:12', 'SSHCC_HOSTS: bad compiler name "gcc:12" in "map=gcc:gcc:12" of "fast,map=gcc:gcc:12"', 'a compiler as a build runs it, without a directory: letters, digits, ".", "_", "+", "-"'],
    ['fast,map=/usr/bin/gcc:gcc', 'SSHCC_HOSTS: bad compiler name "/usr/bin/gcc" in "map=/usr/bin/gcc:gcc" of "fast,map=/usr/bin/gcc:gcc"', 'a compiler as a build runs it, without a directory: letters, digits, ".", "_", "+", "-"'],
    ['fast,map=gcc:-fplugin=x', 'SSHCC_HOSTS: bad compiler name "-fplugin=x" in "map=gcc:-fplugin=x" of "fast,map=gcc:-fplugin=x"', 'a compiler as a build runs it, without a directory: letters, digits, ".", "_", "+", "-"'],
    ['fast,map=gcc:.hidden', 'SSHCC_HOSTS: bad compiler name ".hidden" in "map=gcc:.hidden" of "fast,map=gcc:.hidden"', 'a compiler as a build runs it, without a directory: letters, digits, ".", "_", "+", "-"'],
    ['fast,map=gcc:a,map=gcc:b', 'SSHCC_HOSTS: "gcc" is mapped twice in "fast,map=gcc:a,map=gcc:b"', 'one map= per compiler name'],
    ['fast/0', 'SSHCC_HOSTS: bad slot count "0" in "fast/0"', 'a whole number from 1 to 256'],
    ['fast/x', 'SSHCC_HOSTS: bad slot count "x" in "fast/x"', 'a whole number from 1 to 256'],
    ['fast/', 'SSHCC_HOSTS: bad slot count "" in "fast/"', 'a whole number from 1 to 256'],
    ['fast/04', 'SSHCC_HOSTS: bad slot count "04" in "fast/04"', 'a whole number from 1 to 256'],
    ['fast/257', 'SSHCC_HOSTS: bad slot count "257" in "fast/257"', 'a whole number from 1 to 256'],
    ['fast/4:22', 'SSHCC_HOSTS: bad slot count "4:22" in "fast/4:22"', 'a whole number from 1 to 256'],
    ['localhost/0', 'SSHCC_HOSTS: bad slot count "0" in "localhost/0"', 'a whole number from 1 to 256'],
    ['fast:0', 'SSHCC_HOSTS: bad port "0" in "fast:0"', 'a whole number from 1 to 65535'],
    ['fast:65536', 'SSHCC_HOSTS: bad port "65536" in "fast:65536"', 'a whole number from 1 to 65535'],
    ['fast:ssh', 'SSHCC_HOSTS: bad port "ssh" in "fast:ssh"', 'a whole number from 1 to 65535'],
    ['fast:', 'SSHCC_HOSTS: bad port "" in "fast:"', 'a whole number from 1 to 65535'],
    ['@@fast', 'SSHCC_HOSTS: empty user name in "@@fast"', 'write user@host, or leave the user to ~/.ssh/config'],
    ['-oProxyCommand=x@fast', 'SSHCC_HOSTS: bad user name "-oProxyCommand=x" in "-oProxyCommand=x@fast"', 'letters, digits, ".", "_", "-" and "$", not starting with "-"'],
    ['-oProxyCommand=x', 'SSHCC_HOSTS: bad host name "-oProxyCommand=x" in "-oProxyCommand=x"', 'letters, digits, ".", "_" and "-", not starting with "-" or "."'],
    ['bob@', 'SSHCC_HOSTS: missing host name in "bob@"', undefined],
    ['@', 'SSHCC_HOSTS: missing host name in "@"', undefined],
    [':22', 'SSHCC_HOSTS: missing host name in ":22"', undefined],
    ['::1', 'SSHCC_HOSTS: IPv6 address without brackets in "::1"', 'write it as [::1] or [::1]:port'],
    ['[::1', 'SSHCC_HOSTS: missing "]" in "[::1"', undefined],
    ['[fast]', 'SSHCC_HOSTS: bad IPv6 address "fast" in "[fast]"', undefined],
    ['[::1]x', 'SSHCC_HOSTS: unexpected "x" after the host in "[::1]x"', 'write [@][user@]host[:port][/N][,option...]'],
    ['localhost,zstd', 'SSHCC_HOSTS: "localhost,zstd": localhost takes no options', 'it compiles on this machine; write "@localhost" to go through its sshd'],
    ['--frob', 'SSHCC_HOSTS: unknown option "--frob"', 'known: --randomize, --localslots=N, --localslots_cpp=N'],
    ['--randomize=1', 'SSHCC_HOSTS: "--randomize=1": --randomize takes no value', undefined],
    ['--localslots', 'SSHCC_HOSTS: bad value "" in "--localslots"', 'a whole number from 1 to 256'],
    ['--localslots_cpp=0', 'SSHCC_HOSTS: bad value "0" in "--localslots_cpp=0"', 'a whole number from 1 to 256'],
    ['--localslots=2 --localslots=3', 'SSHCC_HOSTS: "--localslots" is given twice', undefined],
    ['+zeroconf', `SSHCC_HOSTS: "+zeroconf" is distcc's zeroconf discovery, which sshcc does not have`, 'list the hosts by name'],
    ['fast/4 FAST/2', 'SSHCC_HOSTS: "FAST/2" lists fast again (first as "fast/4")', 'list each host once; its /N says how many jobs it takes'],
    ['bob@fast @bob@fast,zstd', 'SSHCC_HOSTS: "@bob@fast,zstd" lists bob@fast again (first as "bob@fast")', 'list each host once; its /N says how many jobs it takes'],
    ['localhost localhost/4', 'SSHCC_HOSTS: "localhost/4" lists localhost again (first as "localhost")', 'list each host once; its /N says how many jobs it takes'],
  ])('%s', (text, message, hint) => {
    let thrown: unknown;
    try {
      parseHosts(text, { source: SSHCC });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'SshccError', code: 'bad-host-spec', message, hint });
  });

  it('names the file and line of a bad entry in a hosts file', () => {
    const text = 'fast/4\n# comment\n  slow/2,frob\n';
    expect(() => parseHosts(text, { source: { kind: 'file', path: '/home/me/.sshcc/hosts' } })).toThrow(
      '/home/me/.sshcc/hosts:3: unknown option "frob" in "slow/2,frob"',
    );
  });
});

describe('parseHosts: DISTCC_HOSTS dialect', () => {
  it('keeps ssh hosts and localhost, skips TCP hosts with a warning, tolerates distcc options', () => {
    const list = parseHosts('localhost/2 tcpbox/4 tcpbox:3632 @fast/8,lzo,cpp bob@slow:/opt/distcc/bin/distccd,auth --randomize +zeroconf', {
      source: DISTCC,
    });
    expect(list.hosts).toEqual([
      { kind: 'local', spec: 'localhost/2', slots: 2 },
      ssh('@fast/8,lzo,cpp', 'fast', { slots: 8 }),
      ssh('bob@slow:/opt/distcc/bin/distccd,auth', 'slow', { user: 'bob' }),
    ]);
    expect(list.randomize).toBe(true);
    expect(list.warnings).toEqual([
      {
        token: 'tcpbox/4',
        message: 'DISTCC_HOSTS: skipping "tcpbox/4": a distcc TCP host (sshcc reaches hosts over SSH only; write "@tcpbox/4" to use it)',
      },
      {
        token: 'tcpbox:3632',
        message: 'DISTCC_HOSTS: skipping "tcpbox:3632": a distcc TCP host (sshcc reaches hosts over SSH only; write "@tcpbox:3632" to use it)',
      },
      {
        token: 'bob@slow:/opt/distcc/bin/distccd,auth',
        message: 'DISTCC_HOSTS: ignoring the distccd command ":/opt/distcc/bin/distccd" in "bob@slow:/opt/distcc/bin/distccd,auth" (sshcc runs sshcc-server)',
      },
      { token: '+zeroconf', message: `DISTCC_HOSTS: skipping "+zeroconf": distcc's zeroconf discovery, which sshcc does not have` },
    ]);
  });

  it('skips a repeated host with a warning instead of failing', () => {
    const list = parseHosts('@fast @fast/2', { source: DISTCC });
    expect(list.hosts).toEqual([ssh('@fast', 'fast')]);
    expect(list.warnings).toEqual([{ token: '@fast/2', message: 'DISTCC_HOSTS: skipping "@fast/2": it lists fast again (first as "@fast")' }]);
  });

  it.each<[string, string]>([
    ['@fast/0', 'DISTCC_HOSTS: bad slot count "0" in "@fast/0"'],
    ['@fast,frob', 'DISTCC_HOSTS: unknown option "frob" in "@fast,frob"'],
    // distcc itself reads DISTCC_HOSTS too and has no compiler map: the list must stay distcc's.
    ['@fast,map=gcc:gcc', 'DISTCC_HOSTS: unknown option "map=gcc:gcc" in "@fast,map=gcc:gcc"'],
    ['@', 'DISTCC_HOSTS: missing host name in "@"'],
  ])('still rejects %s', (text, message) => {
    expect(() => parseHosts(text, { source: DISTCC })).toThrow(message);
  });
});
