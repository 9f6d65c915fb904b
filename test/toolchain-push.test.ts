// Toolchain push, end to end: a volunteer whose sshd runs in a private mount namespace with every
// compiler covered (gcc's and g++'s drivers, /usr/lib/gcc, as, clang, the cross gcc, cc1's libraries:
// testkit's `hide`, root only) gets the client's gcc as a pack over the pooled connection, then compiles a
// real multi-file project remote-only, objects identical to local ones, with and without -g. A fresh agent
// then sends no pack bytes, ping and stats name the pack held there, a pack evicted there is pushed
// again, and a cross compiler goes the same way. Runs the BUILT CLI (npm run build).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hidingUnavailable, startVolunteer, stopAll, type Volunteer } from '@sshcc/testkit';
import { SSHCC } from './support/build-project';
import { runCaptured } from './support/captured-run';
import { stopAgent } from './support/private-agent';
import { waitFor } from './support/build-processes';
import { compilersHere, CROSS, expectLocalObjects, jobLines, makeProject, packLines, pushAgentEnv, PROJECT_FILES, writePushProject } from './support/toolchain-push';

const reason = hidingUnavailable();

if (reason !== undefined) {
  test('toolchain push to a volunteer without compilers cannot run here, and the reason is printed', () => {
    console.log(`toolchain push tests not run: ${reason}`);
    expect(reason).toMatch(/not root|unshare --mount/);
  });
} else {
  let root: string;
  let volunteer: Volunteer;
  let project: string;

  const clientEnv = (name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => pushAgentEnv(root, volunteer, name, extra);
  const make = (env: NodeJS.ProcessEnv, cflags: string) => makeProject(project, env, cflags);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sshcc-toolchain-push-'));
    const home = join(root, 'volunteer-home');
    for (const dir of [home, join(root, 'volunteer-tmp')]) mkdirSync(dir, { recursive: true });
    project = join(root, 'project');
    writePushProject(project);
    volunteer = await startVolunteer({ hide: compilersHere(), env: { HOME: home, TMPDIR: join(root, 'volunteer-tmp'), XDG_CACHE_HOME: join(home, '.cache') } });
  }, 120_000);

  afterAll(async () => {
    for (const name of ['first', 'fresh', 'cross', 'clang']) if (root && existsSync(join(root, name))) await stopAgent(clientEnv(name));
    await stopAll();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  test('the volunteer has no compiler: its sessions can run neither gcc nor cc1', async () => {
    const look = await runCaptured(['ssh', '-F', volunteer.sshConfigFile, volunteer.alias, 'gcc --version || echo no gcc; ls /usr/lib/gcc | wc -l'], { cwd: root, env: clientEnv('look') });
    expect(look.stdout).toMatch(/no gcc\n0\n$/);
  }, 60_000);

  test('the first build pushes gcc\'s pack; from then on the build is remote-only, identical to local, with and without -g', async () => {
    const env = clientEnv('first');
    const first = await make(env, '-O2');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(await waitFor(() => packLines(env).some((line) => / in place: /.test(line)), 120_000, 200)).toBe(true);
    const [pushed] = packLines(env);
    console.log(`toolchain push: ${pushed}`);
    expect(pushed).toMatch(new RegExp(`^.*${volunteer.alias}/2: toolchain pack [0-9a-f]{12} in place: sent \\d+ of \\d+ files, \\d+\\.\\d MiB \\(\\d+\\.\\d s\\)$`));
    // The pack is under the volunteer's cache, read-only.
    const store = join(root, 'volunteer-home', '.cache', 'sshcc', 'toolchains');
    expect(readdirSync(store).filter((name) => /^[0-9a-f]{64}$/.test(name))).toHaveLength(1);

    for (const cflags of ['-O2', '-O2 -g']) {
      await runCaptured(['make', 'clean'], { cwd: project, env });
      const before = jobLines(env).length;
      // No fallback: a job that did not go remote would fail the build.
      const build = await make({ ...env, SSHCC_FALLBACK: '0' }, cflags);
      expect(build.stderr).toBe('');
      expect(build.code).toBe(0);
      const lines = jobLines(env).slice(before);
      expect(lines).toHaveLength(PROJECT_FILES.length);
      for (const line of lines) expect(line).toMatch(new RegExp(`: compiled on ${volunteer.alias}/2 \\(\\d+ ms\\)$`));
      expectLocalObjects(project, cflags);
    }
  }, 300_000);

  test('a restarted agent names the pack from its first job (the manifest it kept): no compiler-missing round, no push', async () => {
    const env = clientEnv('first');
    await stopAgent(env);
    const pushesBefore = packLines(env).length;
    await runCaptured(['make', 'clean'], { cwd: project, env });
    const before = jobLines(env).length;
    const build = await make({ ...env, SSHCC_FALLBACK: '0' }, '-O2');
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const lines = jobLines(env).slice(before);
    expect(lines).toHaveLength(PROJECT_FILES.length);
    for (const line of lines) expect(line).toMatch(new RegExp(`: compiled on ${volunteer.alias}/2 \\(\\d+ ms\\)$`));
    expect(packLines(env)).toHaveLength(pushesBefore);
    expectLocalObjects(project, '-O2');
  }, 300_000);

  test('a fresh agent (no pack of its own yet) sends no pack bytes: the volunteer holds every file', async () => {
    const env = clientEnv('fresh');
    await runCaptured(['make', 'clean'], { cwd: project, env });
    const build = await make(env, '-O2');
    expect(build.code).toBe(0);
    expect(await waitFor(() => packLines(env).length > 0, 120_000, 200)).toBe(true);
    expect(packLines(env)).toEqual([expect.stringMatching(/toolchain pack [0-9a-f]{12} in place: the host had every file already \(\d+\.\d s\)$/)]);
    expectLocalObjects(project, '-O2');
  }, 300_000);

  test('ping names the pack the volunteer holds by the compiler it is; stats count the push and the pack its hello listed', async () => {
    const store = join(root, 'volunteer-home', '.cache', 'sshcc', 'toolchains');
    const [id] = readdirSync(store).filter((name) => /^[0-9a-f]{64}$/.test(name));
    // The first agent built the pack, so its cache has the manifest that says which compiler it is.
    const ping = await runCaptured([SSHCC, 'ping'], { cwd: root, env: clientEnv('first') });
    const version = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]?.replace(/^gcc(-\d+)? /, '') ?? '';
    expect(ping.stdout).toContain(`  packs:      ${id?.slice(0, 12)} gcc ${version}\n`);
    expect(ping.stdout).toMatch(new RegExp(`^ {2}machine: +${process.arch}, `, 'm'));
    // The fresh agent learnt of the pack from the hello, then pushed it without sending a byte (it built
    // the pack for that, so it too knows which compiler it is).
    const stats = await runCaptured([SSHCC, 'stats', '--json'], { cwd: root, env: clientEnv('fresh') });
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).hosts[`${volunteer.alias}/2`]).toMatchObject({ packsPushed: 1, packWireBytes: 0, packsFailed: 0, packsHeld: [id] });
    const text = await runCaptured([SSHCC, 'stats'], { cwd: root, env: clientEnv('fresh') });
    expect(text.stdout).toContain(`\nToolchain packs\n`);
    expect(text.stdout).toMatch(new RegExp(`^${volunteer.alias}/2 +${id?.slice(0, 12)} gcc .+ +1 +0 B +[\\d.]+ s +0$`, 'm'));
  }, 120_000);

  test('a pack evicted from the volunteer while an agent that pushed it lives is pushed again by that agent', async () => {
    // The fresh agent pushed it (0 bytes) above. The store goes as an eviction would take it.
    const env = clientEnv('fresh');
    const store = join(root, 'volunteer-home', '.cache', 'sshcc', 'toolchains');
    execFileSync('sh', ['-c', 'chmod -R u+w "$1" && rm -rf "$1"', 'sh', store]);
    const pushesBefore = packLines(env).length;
    await runCaptured(['make', 'clean'], { cwd: project, env });
    const build = await make(env, '-O2');
    expect(build.code).toBe(0);
    expect(await waitFor(() => packLines(env).length > pushesBefore, 120_000, 200)).toBe(true);
    expect(packLines(env).slice(pushesBefore)).toEqual([expect.stringMatching(/toolchain pack [0-9a-f]{12} in place: sent \d+ of \d+ files, /)]);
    await runCaptured(['make', 'clean'], { cwd: project, env });
    const again = await make({ ...env, SSHCC_FALLBACK: '0' }, '-O2');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expectLocalObjects(project, '-O2');
  }, 300_000);

  test.each([
    [`a cross compiler (${CROSS})`, CROSS, 'cross'],
    // clang's pack is its one binary and libLLVM: no cc1 or as, and ~60 MiB on the wire.
    ['clang', 'clang', 'clang'],
  ])('%s the volunteer lacks is pushed too; its object is identical to local', async (_what, compiler, name) => {
    const env = clientEnv(name);
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'add.c'), 'int add(int a, int b) { return a * 7 + b; }\n');
    const compile = (extra: NodeJS.ProcessEnv) => runCaptured([SSHCC, compiler, '-O2', '-c', 'add.c', '-o', 'add.o'], { cwd: dir, env: { ...env, ...extra } });
    expect((await compile({})).code).toBe(0);
    expect(await waitFor(() => packLines(env).some((line) => / in place: /.test(line)), 240_000, 200)).toBe(true);
    rmSync(join(dir, 'add.o'));
    const remote = await compile({ SSHCC_FALLBACK: '0' });
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    expect(jobLines(env).at(-1)).toMatch(new RegExp(`add\\.o: compiled on ${volunteer.alias}/2`));
    execFileSync(compiler, ['-O2', '-c', 'add.c', '-o', 'add.local.o'], { cwd: dir });
    expect(readFileSync(join(dir, 'add.o')).equals(readFileSync(join(dir, 'add.local.o')))).toBe(true);
  }, 360_000);
}
