// argv injection, refused by sshcc-server itself: crafted job requests go straight through a real sshd
// channel (no agent, no client-side analysis in the way). Compiler names that are paths, shell text or not
// on the allowlist, and options that make a compiler read or write files outside its job dir, run a program
// or link, must all come back 'refused', and no file may appear outside the job dir: every path the
// requests name lies in a canary dir that must stay empty. Where it matters, the same option is first
// shown to do its damage when given to the compiler directly, so each refusal guards something real.

import { chmodSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ssh2';
import { clientHandshake, type ClientSession, type JobSpec } from '@sshcc/protocol';
import { connectClient, jobLeftovers, openSubsystem, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { processesUnder } from './support/processes-under';
import { run, splitCompile, writeFiles, type SplitCompile } from './support/split-compile';

let root: string;
let canary: string;
let serverTmp: string;
let project: string;
let volunteer: Volunteer;
let client: Client;
let session: ClientSession;
let gcc: SplitCompile;
let clang: SplitCompile;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-argv-')));
  canary = join(root, 'canary');
  serverTmp = join(root, 'server-tmp');
  project = join(root, 'project');
  for (const dir of [canary, serverTmp, project, join(root, 'config')]) mkdirSync(dir);
  writeFiles(project, { 'src/unit.c': 'int twice(int x) { return 2 * x; }\n' });
  volunteer = await startVolunteer({ env: { TMPDIR: serverTmp, XDG_CONFIG_HOME: join(root, 'config') } });
  client = await connectClient(volunteer.connectOptions());
  session = await clientHandshake(await openSubsystem(client, 'sshcc'), { client: 'argv-injection-test' });
  [gcc, clang] = await Promise.all([splitCompile('gcc -O2 -c src/unit.c -o unit.o', project), splitCompile('clang -O2 -c src/unit.c -o unit.o', project)]);
}, 30_000);

afterAll(async () => {
  await session?.close();
  client?.end();
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  // Whatever a test's local proof left in the canary dir is its own; the remote side must add nothing.
  for (const name of readdirSync(canary)) rmSync(join(canary, name), { recursive: true, force: true });
});

const canaryFiles = (): string[] => readdirSync(canary);

/** Runs `spec` changed by `change` on the volunteer and returns its result. */
async function remote(split: SplitCompile, change: Partial<JobSpec>) {
  return session.runJob({ ...split.spec, ...change }, split.source);
}

/** The compiler itself, given `extra` on a plain compile of src/unit.c in a scratch dir: what the option does. */
function direct(compiler: 'gcc' | 'clang', extra: readonly string[], { link = false } = {}): void {
  const scratch = mkdtempSync(join(root, 'direct-'));
  writeFileSync(join(scratch, 'unit.c'), 'int twice(int x) { return 2 * x; }\nint main(void) { return twice(0); }\n');
  run([compiler, ...(link ? [] : ['-c']), 'unit.c', '-o', link ? 'unit' : 'unit.o', ...extra], scratch);
  rmSync(scratch, { recursive: true, force: true });
}

describe('compiler names the server refuses', () => {
  it.each([
    'gcc;touch CANARY/semicolon',
    '$(touch CANARY/dollar)',
    '`touch CANARY/backquote`',
    'gcc|sh',
    'gcc&&id',
    '/usr/bin/gcc',
    '../../usr/bin/gcc',
    '..',
    'bin/gcc',
    './gcc',
    'sh',
    'bash',
    'python3',
    'env',
    'gcc-ar',
    'gcc-nm',
    'clang-format',
    'cc1',
    'ld',
    'as',
    '-gcc',
    'gcc\\',
    "gcc'",
    'gcc*',
  ])('%s', async (template) => {
    const name = template.replace('CANARY', canary);
    const result = await remote(gcc, { compiler: name });
    expect(result).toMatchObject({ kind: 'refused', exitCode: null, message: `compiler "${name}" is not allowed on this server` });
    expect(result.outputs.size).toBe(0);
    expect(canaryFiles()).toEqual([]);
  });

  it.each(['gcc\n', ' gcc', 'gcc x'])('%j (whitespace)', async (name) => {
    const result = await remote(gcc, { compiler: name });
    expect(result.kind).toBe('refused');
    expect(result.message).toBe(`compiler "${name}" is not allowed on this server`.replace(/\s+/g, ' '));
  });
});

interface Injection {
  readonly what: string;
  readonly compiler: 'gcc' | 'clang';
  /** Added to the job's args (paths written with CANARY). */
  readonly args: readonly string[];
  readonly message: string;
  /** The file the option makes in the canary dir when the compiler gets it directly (the proof), if any. */
  readonly proof?: string;
  /** Files to put in the canary dir first (an @file, a specs file, a program). */
  readonly setup?: Readonly<Record<string, { text: string; executable?: boolean }>>;
  /** The proof compile links (the option only acts then). */
  readonly link?: boolean;
}

const WRITES = 'writes files outside the job dir';
const touch = (name: string): { text: string; executable: boolean } => ({ text: `#!/bin/sh\ntouch "$(dirname "$0")/${name}"\nexit 1\n`, executable: true });

const INJECTIONS: readonly Injection[] = [
  { what: '-o /etc/x (a path of our own)', compiler: 'gcc', args: ['-o', 'CANARY/x.o'], message: 'option -o is not allowed: it is set by the server', proof: 'x.o' },
  { what: '-o joined', compiler: 'gcc', args: ['-oCANARY/joined.o'], message: 'option -oCANARY/joined.o is not allowed: it is set by the server', proof: 'joined.o' },
  {
    what: '-specs= (a specs file can run any program)',
    compiler: 'gcc',
    args: ['-specs=CANARY/evil.specs'],
    message: 'option -specs=CANARY/evil.specs is not allowed: it reads a specs file, which can run any program',
    // Here the specs add an option to cc1; a specs file can as well replace the programs the driver runs.
    setup: { 'evil.specs': { text: '*cc1:\n+ -fdump-tree-original=CANARY/from-specs\n' } },
    proof: 'from-specs',
  },
  { what: '-fplugin=', compiler: 'gcc', args: ['-fplugin=CANARY/plugin.so'], message: 'option -fplugin=CANARY/plugin.so is not allowed: it loads code into the compiler' },
  { what: 'clang -fplugin=', compiler: 'clang', args: ['-fplugin=CANARY/plugin.so'], message: 'option -fplugin=CANARY/plugin.so is not allowed: it loads code into the compiler' },
  {
    what: '@file (its options write the canary)',
    compiler: 'gcc',
    args: ['@CANARY/args'],
    message: 'option @CANARY/args is not allowed: it reads more arguments from a file',
    setup: { args: { text: '-fdump-tree-original=CANARY/from-at-file\n' } },
    proof: 'from-at-file',
  },
  {
    what: '-B (the driver runs our `as`)',
    compiler: 'gcc',
    args: ['-BCANARY/'],
    message: 'option -BCANARY/ is not allowed: it chooses where the driver finds its programs',
    setup: { as: touch('ran-as') },
    proof: 'ran-as',
  },
  { what: '-B as a separate value', compiler: 'gcc', args: ['-B', 'CANARY/'], message: 'option -B is not allowed: it chooses where the driver finds its programs', setup: { as: touch('ran-as') }, proof: 'ran-as' },
  { what: '--sysroot outside what is allowed', compiler: 'gcc', args: ['--sysroot=CANARY'], message: "option --sysroot=CANARY is not on the server's list of long options" },
  { what: 'clang --sysroot', compiler: 'clang', args: ['--sysroot', 'CANARY'], message: "option --sysroot is not on the server's list of long options" },
  { what: '-isysroot', compiler: 'clang', args: ['-isysroot', 'CANARY'], message: 'option -isysroot is not allowed: it reads files outside the job dir' },
  {
    what: '-Wl, (a link writes where it is told)',
    compiler: 'gcc',
    args: ['-Wl,-o,CANARY/linked'],
    message: 'option -Wl,-o,CANARY/linked is not allowed: it is for linking, which sshcc never runs remotely',
    proof: 'linked',
    link: true,
  },
  {
    what: '-wrapper (runs the compiler under any program)',
    compiler: 'gcc',
    args: ['-wrapper', '/bin/sh,-c,touch CANARY/wrapped'],
    message: 'option -wrapper is not allowed: it runs the compiler under another program',
    proof: 'wrapped',
  },
  { what: '-fdump-* with a path', compiler: 'gcc', args: ['-fdump-tree-original=CANARY/dump'], message: `option -fdump-tree-original=CANARY/dump is not allowed: it ${WRITES}`, proof: 'dump' },
  { what: '-fdump-* with a relative path out of the job dir', compiler: 'gcc', args: ['-fdump-tree-original=../dumped'], message: `option -fdump-tree-original=../dumped is not allowed: it ${WRITES}` },
  { what: '-dumpdir', compiler: 'gcc', args: ['-dumpdir', 'CANARY/', '-fdump-tree-original'], message: `option -dumpdir is not allowed: it ${WRITES}` },
  { what: '-save-temps=obj', compiler: 'gcc', args: ['-save-temps=obj'], message: `option -save-temps=obj is not allowed: it ${WRITES}` },
  { what: '-aux-info', compiler: 'gcc', args: ['-aux-info', 'CANARY/aux'], message: `option -aux-info is not allowed: it ${WRITES}`, proof: 'aux' },
  { what: '-fopt-info-…=FILE', compiler: 'gcc', args: ['-fopt-info-all=CANARY/opt'], message: `option -fopt-info-all=CANARY/opt is not allowed: it ${WRITES}`, proof: 'opt' },
  {
    what: '-Wa, listing to a file',
    compiler: 'gcc',
    args: ['-Wa,-aln=CANARY/listing'],
    message: 'option -Wa,-aln=CANARY/listing is not allowed: it passes -aln=CANARY/listing, which reads or writes files, to the assembler',
    proof: 'listing',
  },
  { what: '-Xassembler', compiler: 'gcc', args: ['-Xassembler', '-aln=CANARY/xa'], message: 'option -Xassembler is not allowed: it passes options past the driver to a tool it runs', proof: 'xa' },
  { what: '-MD -MF', compiler: 'gcc', args: ['-MD', '-MF', 'CANARY/deps.d'], message: 'option -MD is not allowed: it writes a dependency file, which sshcc makes on the client', proof: 'deps.d' },
  { what: '-include', compiler: 'gcc', args: ['-include', '/etc/passwd'], message: 'option -include is not allowed: it reads files outside the job dir' },
  { what: '-x (set by the server)', compiler: 'gcc', args: ['-x', 'c'], message: 'option -x is not allowed: it is set by the server' },
  { what: 'an extra input file', compiler: 'gcc', args: ['/etc/passwd.c'], message: 'argument "/etc/passwd.c" is not an option (an extra input file?)' },
  // Found by probing gcc 12 and clang 14 (every option that takes a value, under strace).
  {
    what: '-fcompare-debug= (options for a second compile, past the gate)',
    compiler: 'gcc',
    args: ['-fcompare-debug=-fdump-tree-original=CANARY/compare'],
    message: 'option -fcompare-debug=-fdump-tree-original=CANARY/compare is not allowed: it passes options to a second compile, past this gate',
    proof: 'compare',
  },
  { what: '-time=FILE', compiler: 'gcc', args: ['-time=CANARY/time'], message: `option -time=CANARY/time is not allowed: it ${WRITES}`, proof: 'time' },
  { what: '-fprofile-note=', compiler: 'gcc', args: ['-ftest-coverage', '-fprofile-note=CANARY/note.gcno'], message: `option -fprofile-note=CANARY/note.gcno is not allowed: it ${WRITES}`, proof: 'note.gcno' },
  { what: 'clang -fproc-stat-report=', compiler: 'clang', args: ['-fproc-stat-report=CANARY/stat'], message: `option -fproc-stat-report=CANARY/stat is not allowed: it ${WRITES}`, proof: 'stat' },
  { what: 'clang -serialize-diagnostics', compiler: 'clang', args: ['-serialize-diagnostics', 'CANARY/diag'], message: `option -serialize-diagnostics is not allowed: it ${WRITES}`, proof: 'diag' },
  { what: 'clang -gen-cdb-fragment-path', compiler: 'clang', args: ['-gen-cdb-fragment-path', 'CANARY/cdb'], message: `option -gen-cdb-fragment-path is not allowed: it ${WRITES}`, proof: 'cdb' },
  { what: 'clang -MJ', compiler: 'clang', args: ['-MJ', 'CANARY/mj'], message: 'option -MJ is not allowed: it writes a dependency file, which sshcc makes on the client', proof: 'mj' },
  { what: 'clang -ftime-trace=', compiler: 'clang', args: ['-ftime-trace=CANARY/trace.json'], message: `option -ftime-trace=CANARY/trace.json is not allowed: it ${WRITES}` },
  { what: 'clang -Xclang -load', compiler: 'clang', args: ['-Xclang', '-load', '-Xclang', 'CANARY/plugin.so'], message: 'option -Xclang is not allowed: it passes options past the driver to a tool it runs' },
  { what: 'clang -working-directory', compiler: 'clang', args: ['-working-directory', 'CANARY'], message: 'option -working-directory is not allowed: it moves the compile out of the job dir' },
  { what: 'clang --target=PATH (it looks for <target>-as)', compiler: 'clang', args: ['--target=../../CANARY/x'], message: 'option --target=../../CANARY/x is not allowed: it names a path' },
  {
    what: 'no -c: the driver would link, and clang runs -fuse-ld=PATH',
    compiler: 'clang',
    args: ['-fuse-ld=CANARY/ld'],
    message: 'option -fuse-ld=CANARY/ld is not allowed: it is for linking, which sshcc never runs remotely',
    setup: { ld: touch('ran-ld') },
    proof: 'ran-ld',
    link: true,
  },
];

describe('options the server refuses, each guarding something real', () => {
  it.each(INJECTIONS.map((injection) => [injection.what, injection] as const))('%s', async (_what, injection) => {
    const fill = (text: string): string => text.replaceAll('CANARY', canary);
    for (const [name, file] of Object.entries(injection.setup ?? {})) {
      writeFileSync(join(canary, name), fill(file.text));
      if (file.executable) chmodSync(join(canary, name), 0o755);
    }
    const args = injection.args.map(fill);
    if (injection.proof) {
      direct(injection.compiler, args, { link: injection.link ?? false });
      expect(canaryFiles()).toContain(injection.proof);
      rmSync(join(canary, injection.proof), { recursive: true, force: true });
    }
    const before = canaryFiles();
    const split = injection.compiler === 'gcc' ? gcc : clang;
    const result = await remote(split, { args: [...split.spec.args, ...args] });
    expect(result).toMatchObject({ kind: 'refused', exitCode: null, message: fill(injection.message) });
    expect(result.outputs.size).toBe(0);
    expect(canaryFiles()).toEqual(before);
    expect(jobLeftovers(serverTmp)).toEqual([]);
  });

  it('refuses a job without -c or -S: the driver would link on the volunteer', async () => {
    const args = gcc.spec.args.filter((arg) => arg !== '-c');
    const result = await remote(gcc, { args });
    expect(result).toMatchObject({ kind: 'refused', message: 'the arguments hold neither -c nor -S: the compiler would link' });
  });

  it('still compiles on the same channel afterwards, leaving nothing outside its job dir', async () => {
    for (const split of [gcc, clang]) {
      const result = await remote(split, {});
      expect(result).toMatchObject({ kind: 'compiled', exitCode: 0 });
      expect([...result.outputs.keys()]).toEqual(['unit.o']);
    }
    expect(canaryFiles()).toEqual([]);
    expect(jobLeftovers(serverTmp)).toEqual([]);
    expect(readdirSync(project)).toEqual(['src']);
    expect(processesUnder(serverTmp)).toEqual([]);
  });
});
