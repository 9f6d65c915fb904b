// These run the BUILT `sshcc` (bin/sshcc.js → dist/cli/main.js) as a child process, as a user would:
// build first (`npm run build`, or `flock /tmp/sshcc-build.lock npx tsc -b`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_COMMANDS } from './commands';

const BIN = path.resolve(__dirname, '../../bin/sshcc.js');
const MAIN = path.resolve(__dirname, '../../dist/cli/main.js');

let home: string;
let work: string;

beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-cli-home-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-cli-work-'));
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI with no host settings of the caller's own (HOME is a fresh temp dir). */
function sshcc(args: readonly string[], env: Record<string, string> = {}): Run {
  const base = { ...process.env };
  for (const name of ['SSHCC_HOSTS', 'SSHCC_DIR', 'DISTCC_HOSTS', 'SSHCC_VERIFY']) delete base[name];
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    env: { ...base, HOME: home, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sshcc explain', () => {
  it('prints a remote analysis as JSON: the Analysis object as-is', () => {
    const run = sshcc(['explain', '--json', '--', 'gcc', '-c', '-O2', 'foo.c', '-o', 'out/foo.o']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const analysis = JSON.parse(run.stdout);
    const cwd = fs.realpathSync(work);
    expect(Object.keys(analysis)).toEqual(
      expect.arrayContaining(['compileArgv', 'compiler', 'extraOutputs', 'family', 'input', 'lang', 'mode', 'output', 'preprocessArgv', 'remoteLang']),
    );
    expect(analysis).toMatchObject({
      mode: 'remote',
      compiler: 'gcc',
      family: 'gcc',
      input: path.join(cwd, 'foo.c'),
      output: path.join(cwd, 'out/foo.o'),
      lang: 'c',
      extraOutputs: [],
    });
    expect(analysis.preprocessArgv).toEqual(expect.arrayContaining(['gcc', '-E', 'foo.c']));
    expect(analysis.compileArgv).toEqual(expect.arrayContaining(['-c', '-O2']));
    expect(analysis.compileArgv).not.toContain('foo.c');
  });

  it('prints a local analysis as JSON, and exits 0 all the same', () => {
    const run = sshcc(['explain', '--json', '--', 'gcc', '-c', '-march=native', 'foo.c']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ mode: 'local', reason: 'native-arch', detail: expect.stringContaining('-march=native') });
  });

  it('prints a readable form with the argvs shell-quoted', () => {
    const run = sshcc(['explain', '--', 'gcc', '-c', '-DMSG="a b"', 'foo.c']);
    expect(run.status).toBe(0);
    const cwd = fs.realpathSync(work);
    expect(run.stdout).toContain('mode:           remote (preprocess here, compile on a volunteer)\n');
    expect(run.stdout).toContain(`input:          ${path.join(cwd, 'foo.c')}\n`);
    expect(run.stdout).toContain(`output:         ${path.join(cwd, 'foo.o')}\n`);
    expect(run.stdout).toMatch(/^preprocess: +gcc .*'-DMSG="a b"'.* foo\.c$/m);
    expect(run.stdout).toMatch(/^compile: +gcc -c .*\(on the volunteer, which adds -x \S+, its input and -o\)$/m);
    expect(run.stdout).toContain('extra outputs:  none\n');
  });

  it('reads @files from the cwd, and explains an unreadable one', () => {
    fs.writeFileSync(path.join(work, 'flags.rsp'), '-c -march=native\n');
    expect(JSON.parse(sshcc(['explain', '--json', '--', 'gcc', '@flags.rsp', 'foo.c']).stdout).reason).toBe('native-arch');
    const run = sshcc(['explain', '--', 'gcc', '-c', '@missing.rsp', 'foo.c']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^mode: +local \(runs the compiler on this machine, unchanged\)\nreason: +unreadable-response-file\n/);
    expect(run.stdout).toMatch(/^then: +the job compiles on this machine \(counted as unreadable-response-file in sshcc stats\)$/m);
  });
});

describe('sshcc explain: sampled verification', () => {
  const verifyLine = (run: Run): string | undefined => /^verify: +(.*)$/m.exec(run.stdout)?.[1];

  it('says it is off, and how to turn it on', () => {
    expect(verifyLine(sshcc(['explain', '--', 'gcc', '-c', 'foo.c']))).toBe('off (SSHCC_VERIFY=<fraction>, or "verify" in $SSHCC_DIR/config.json, turns it on)');
  });

  it('says what share is compiled here too, from where, and what a mismatch does', () => {
    expect(verifyLine(sshcc(['explain', '--', 'gcc', '-c', 'foo.c'], { SSHCC_VERIFY: '1' }))).toBe(
      'every remote job (SSHCC_VERIFY) is compiled here too, at low priority in a local slot, and the objects compared before any is written; ' +
        "on a mismatch the build gets this machine's object, the agent log both sha256, and the volunteer no more jobs for this compiler (counted as verify-mismatch in sshcc stats)",
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-cli-dir-'));
    try {
      fs.writeFileSync(path.join(dir, 'config.json'), '{"verify": 0.05}\n');
      expect(verifyLine(sshcc(['explain', '--', 'gcc', '-c', 'foo.c'], { SSHCC_DIR: dir }))).toMatch(new RegExp(`^1 remote job in 20 \\(${dir}/config\\.json\\) is compiled here too`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad SSHCC_VERIFY with one config line and exit 102, for a compile it applies to', () => {
    const run = sshcc(['explain', '--', 'gcc', '-c', 'foo.c'], { SSHCC_VERIFY: '5%' });
    expect(run).toEqual({
      status: 102,
      stdout: '',
      stderr: 'sshcc: config: SSHCC_VERIFY=5%: not a fraction from 0 to 1 (a fraction from 0 to 1: 0.05 verifies one remote job in 20, 1 every one, 0 none)\n',
    });
    expect(sshcc(['explain', '--', 'gcc', '-c', '-march=native', 'foo.c'], { SSHCC_VERIFY: '5%' }).status).toBe(0);
  });
});

describe('sshcc hosts', () => {
  it('prints the list from SSHCC_HOSTS as JSON', () => {
    const run = sshcc(['hosts', '--json'], { SSHCC_HOSTS: 'localhost/2 bob@fast:2222/8,nozstd --randomize' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      source: { kind: 'env', name: 'SSHCC_HOSTS' },
      hosts: [
        { kind: 'local', spec: 'localhost/2', slots: 2 },
        { kind: 'ssh', spec: 'bob@fast:2222/8,nozstd', host: 'fast', user: 'bob', port: 2222, slots: 8, compression: false, compilerMap: [] },
      ],
      randomize: true,
      localSlots: null,
      localSlotsCpp: null,
      warnings: [],
      searched: [{ kind: 'env', name: 'SSHCC_HOSTS' }],
    });
  });

  it('reads $SSHCC_DIR/hosts when SSHCC_HOSTS is unset', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcc-cli-dir-'));
    try {
      fs.writeFileSync(path.join(dir, 'hosts'), '# farm\n[::1]:2222/3   # loopback sshd\n--localslots=5\n');
      const run = sshcc(['hosts', '--json'], { SSHCC_DIR: dir });
      expect(run.status).toBe(0);
      const list = JSON.parse(run.stdout);
      expect(list.source).toEqual({ kind: 'file', path: path.join(dir, 'hosts') });
      expect(list.hosts).toEqual([{ kind: 'ssh', spec: '[::1]:2222/3', host: '::1', user: null, port: 2222, slots: 3, compression: true, compilerMap: [] }]);
      expect(list.localSlots).toBe(5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a readable table', () => {
    const run = sshcc(['hosts'], { SSHCC_HOSTS: 'localhost fast/8 me@[::1]:2222,nozstd --localslots=3' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      [
        'source: SSHCC_HOSTS',
        'spec                  kind   destination    slots  compression',
        'localhost             local  this machine   2      -',
        'fast/8                ssh    fast           8      zstd',
        'me@[::1]:2222,nozstd  ssh    me@[::1]:2222  4      off',
        'options: --localslots=3',
        '',
      ].join('\n'),
    );
  });

  it('puts DISTCC_HOSTS warnings on stderr and keeps stdout JSON', () => {
    const run = sshcc(['hosts', '--json'], { DISTCC_HOSTS: 'tcpbox @fast' });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).hosts).toHaveLength(1);
    expect(run.stderr).toBe(
      'sshcc: warning: DISTCC_HOSTS: skipping "tcpbox": a distcc TCP host (sshcc reaches hosts over SSH only; write "@tcpbox" to use it)\n',
    );
  });

  it('says when no host list is configured', () => {
    const run = sshcc(['hosts'], { SSHCC_DIR: path.join(home, 'absent') });
    expect(run.status).toBe(0);
    if (!fs.existsSync('/etc/sshcc/hosts')) {
      expect(run.stdout).toBe(
        `no host list (looked at SSHCC_HOSTS, ${path.join(home, 'absent', 'hosts')}, /etc/sshcc/hosts, DISTCC_HOSTS): every compile runs on this machine\n`,
      );
    }
  });

  it('fails on a bad spec with one line and exit code 101', () => {
    const run = sshcc(['hosts'], { SSHCC_HOSTS: 'fast/4,frob' });
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('sshcc: host list: SSHCC_HOSTS: unknown option "frob" in "fast/4,frob" (known options: zstd, nozstd, lzo, map=CLIENT:REMOTE)\n');
    expect(run.status).toBe(101);
  });

  it('fails on a bad compiler map the same way', () => {
    const run = sshcc(['hosts'], { SSHCC_HOSTS: 'fast/4,map=gcc' });
    expect(run.stderr).toBe(
      'sshcc: host list: SSHCC_HOSTS: bad compiler map "map=gcc" in "fast/4,map=gcc" (write map=CLIENT:REMOTE, two compiler names, e.g. map=aarch64-linux-gnu-gcc:gcc)\n',
    );
    expect(run.status).toBe(101);
  });
});

describe('sshcc usage', () => {
  it('exits 100 with one line and no stack trace on an unknown command', () => {
    const run = sshcc(['frobnicate', '--json']);
    expect(run.stdout).toBe('');
    const commands = CLI_COMMANDS.map((command) => command.name).join(', ');
    expect(commands).toMatch(/^explain, hosts, /);
    expect(run.stderr).toBe(`sshcc: usage: unknown command "frobnicate" (commands: ${commands}; see "sshcc --help")\n`);
    expect(run.status).toBe(100);
  });

  it.each<[string[], string]>([
    [[], 'sshcc: usage: no command given (see "sshcc --help")\n'],
    [['hosts', '--frob'], 'sshcc: usage: Unknown argument: frob (see "sshcc hosts --help")\n'],
    [['explain', 'gcc', '-c', 'foo.c'], 'sshcc: usage: Unknown argument: c (put the compiler command after --, as in: sshcc explain -- gcc -c foo.c)\n'],
    [['explain', 'gcc', '--', '-c', 'foo.c'], 'sshcc: usage: "gcc" before -- (put the compiler command after --, as in: sshcc explain -- gcc -c foo.c)\n'],
    [['explain', '--json'], 'sshcc: usage: no compiler command to explain (put the compiler command after --, as in: sshcc explain -- gcc -c foo.c)\n'],
  ])('sshcc %j exits 100', (args, stderr) => {
    const run = sshcc(args);
    expect(run.stderr).toBe(stderr);
    expect(run.status).toBe(100);
  });

  it('prints its version and help, exit 0', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(sshcc(['--version'])).toEqual({ status: 0, stdout: `${manifest.version}\n`, stderr: '' });
    const help = sshcc(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('sshcc explain');
    expect(help.stdout).toContain('sshcc hosts');
  });
});
