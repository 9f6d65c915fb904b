// Toolchain push when things go wrong, end to end through real sshd volunteers in private mount
// namespaces (testkit's `hide` and `replace`, root only): two agents pushing the same first pack at once,
// a cached pack file damaged on the volunteer, a volunteer cache too small for the pack, and a volunteer
// whose gcc-12 is really gcc-11. Each ends with one intact pack (or none at all) and objects identical to
// local gcc's. Runs the BUILT CLI (npm run build).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hidingUnavailable, startVolunteer, stopAll, type Volunteer, type VolunteerOptions } from '@sshcc/testkit';
import { waitFor } from './support/build-processes';
import { runCaptured } from './support/captured-run';
import { mountTmpfs } from './support/fault-small-disk';
import { stopAgent } from './support/private-agent';
import { compilersHere, expectLocalObjects, jobLines, makeProject, packLines, pushAgentEnv, PROJECT_FILES, writePushProject } from './support/toolchain-push';

const reason = hidingUnavailable();
const PACK_ID = /^[0-9a-f]{64}$/;
/** The pack is ~76 MiB unpacked: this cache holds the manifest and the first files, never the pack. */
const SMALL_CACHE_KIB = 8 * 1024;

if (reason !== undefined) {
  test('toolchain push fault tests cannot run here, and the reason is printed', () => {
    console.log(`toolchain push fault tests not run: ${reason}`);
    expect(reason).toMatch(/not root|unshare --mount/);
  });
} else {
  let root: string;
  const agents: NodeJS.ProcessEnv[] = [];
  const unmounts: (() => void)[] = [];

  /** A volunteer whose HOME, TMPDIR and XDG_CACHE_HOME are under `<root>/<name>`; returns it and its toolchains dir. */
  async function volunteerNamed(name: string, options: VolunteerOptions, cache?: string): Promise<{ volunteer: Volunteer; toolchains: string }> {
    const home = join(root, name, 'home');
    const cacheHome = cache ?? join(home, '.cache');
    for (const dir of [home, join(root, name, 'tmp'), cacheHome]) mkdirSync(dir, { recursive: true });
    const volunteer = await startVolunteer({ ...options, env: { HOME: home, TMPDIR: join(root, name, 'tmp'), XDG_CACHE_HOME: cacheHome } });
    return { volunteer, toolchains: join(cacheHome, 'sshcc', 'toolchains') };
  }

  /** An agent of its own, stopped in afterAll; `packsFrom` shares another agent's built packs (saves the ~10 s build). */
  function agent(volunteer: Volunteer, name: string, packsFrom?: string): NodeJS.ProcessEnv {
    const env = pushAgentEnv(root, volunteer, name);
    if (packsFrom !== undefined) cpSync(join(root, packsFrom, 'cache', 'sshcc', 'packs'), join(env.XDG_CACHE_HOME as string, 'sshcc', 'packs'), { recursive: true });
    agents.push(env);
    return env;
  }

  /** A project of its own for `name`: agents building at once must not write each other's objects. */
  function project(name: string): string {
    const dir = join(root, name, 'project');
    writePushProject(dir);
    return dir;
  }

  /** The push's log line, once there is one (`in place: …` or `not pushed: …`). */
  async function pushOutcome(env: NodeJS.ProcessEnv): Promise<string> {
    expect(await waitFor(() => packLines(env).some((line) => / (in place|not pushed): /.test(line)), 120_000, 200)).toBe(true);
    return packLines(env).find((line) => / (in place|not pushed): /.test(line)) as string;
  }

  /** A build with SSHCC_FALLBACK=0 (a job that did not go remote fails it): every job compiled on `volunteer`. */
  async function expectRemoteBuild(dir: string, env: NodeJS.ProcessEnv, volunteer: Volunteer): Promise<void> {
    await runCaptured(['make', 'clean'], { cwd: dir, env });
    const before = jobLines(env).length;
    const build = await makeProject(dir, { ...env, SSHCC_FALLBACK: '0' }, '-O2');
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const lines = jobLines(env).slice(before);
    expect(lines).toHaveLength(PROJECT_FILES.length);
    for (const line of lines) expect(line).toMatch(new RegExp(`: compiled on ${volunteer.alias}/2 \\(\\d+ ms\\)$`));
    expectLocalObjects(dir, '-O2');
  }

  /** What the volunteer's toolchains dir holds: pack dirs, and anything else (a .tmp-* left behind). */
  function storeEntries(toolchains: string): { packs: string[]; other: string[] } {
    const entries = existsSync(toolchains) ? readdirSync(toolchains) : [];
    return { packs: entries.filter((name) => PACK_ID.test(name)), other: entries.filter((name) => !PACK_ID.test(name)) };
  }

  /** Every file of the pack as its manifest says: size, sha256, read-only. */
  function expectPackIntact(packDir: string): void {
    const manifest = JSON.parse(readFileSync(join(packDir, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string; size: number }[] };
    for (const file of manifest.files) {
      const path = join(packDir, file.path);
      const data = readFileSync(path);
      expect({ path: file.path, sha256: createHash('sha256').update(data).digest('hex'), writable: (statSync(path).mode & 0o222) !== 0 }).toEqual({ path: file.path, sha256: file.sha256, writable: false });
    }
  }

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sshcc-toolchain-faults-'));
  });

  afterAll(async () => {
    for (const env of agents) await stopAgent(env);
    await stopAll();
    for (const unmount of unmounts) unmount();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  describe('a volunteer without compilers', () => {
    let bare: { volunteer: Volunteer; toolchains: string };
    beforeAll(async () => {
      bare = await volunteerNamed('bare', { hide: compilersHere() });
    }, 60_000);

    test('two agents pushing the same first pack at once: both builds succeed, one good copy stays, and both then build remotely', async () => {
      const one = agent(bare.volunteer, 'one');
      const two = agent(bare.volunteer, 'two');
      const [dirOne, dirTwo] = [project('one'), project('two')];
      const builds = await Promise.all([makeProject(dirOne, one, '-O2'), makeProject(dirTwo, two, '-O2')]);
      for (const build of builds) expect({ code: build.code, stderr: build.stderr }).toEqual({ code: 0, stderr: '' });
      const outcomes = await Promise.all([pushOutcome(one), pushOutcome(two)]);
      console.log(`concurrent pushes:\n${outcomes.join('\n')}`);
      for (const line of outcomes) expect(line).toMatch(/ in place: /);
      const held = storeEntries(bare.toolchains);
      expect(held).toEqual({ packs: [expect.stringMatching(PACK_ID)], other: [] });
      expectPackIntact(join(bare.toolchains, held.packs[0]));
      await expectRemoteBuild(dirOne, one, bare.volunteer);
      await expectRemoteBuild(dirTwo, two, bare.volunteer);
    }, 300_000);

    test('a flipped byte in a cached pack file: a fresh agent pushes the pack again, its objects are local gcc\'s, and the pack ends intact', async () => {
      // Runs after the test above, or pushes the pack itself first.
      if (storeEntries(bare.toolchains).packs.length === 0) {
        const seed = agent(bare.volunteer, 'seed');
        expect((await makeProject(project('seed'), seed, '-O2')).code).toBe(0);
        expect(await pushOutcome(seed)).toMatch(/ in place: /);
      }
      const [id] = storeEntries(bare.toolchains).packs;
      const packDir = join(bare.toolchains, id);
      const manifest = JSON.parse(readFileSync(join(packDir, 'manifest.json'), 'utf8')) as { files: { path: string; size: number }[] };
      // cc1, the program every C job runs: the largest file of a gcc pack is cc1plus, so pick by name.
      const cc1 = manifest.files.find((file) => file.path.endsWith('/cc1') && file.size > 1024 * 1024);
      expect(cc1).toBeDefined();
      const target = join(packDir, (cc1 as { path: string }).path);
      const mode = statSync(target).mode & 0o7777;
      chmodSync(target, mode | 0o200);
      const bytes = readFileSync(target);
      const at = Math.floor(bytes.length / 2);
      bytes[at] ^= 0xff;
      writeFileSync(target, bytes);
      chmodSync(target, mode);

      const fresh = agent(bare.volunteer, 'damaged', existsSync(join(root, 'one')) ? 'one' : 'seed');
      const dir = project('damaged');
      const build = await makeProject(dir, fresh, '-O2');
      expect({ code: build.code, stderr: build.stderr }).toEqual({ code: 0, stderr: '' });
      const outcome = await pushOutcome(fresh);
      console.log(`push after a flipped byte: ${outcome}`);
      // Sent again: at least cc1's content, which no intact pack on the volunteer holds any more.
      expect(outcome).toMatch(/ in place: sent [1-9]\d* of \d+ files/);
      expectLocalObjects(dir, '-O2');
      await expectRemoteBuild(dir, fresh, bare.volunteer);
      expect(storeEntries(bare.toolchains)).toEqual({ packs: [id], other: [] });
      expectPackIntact(packDir);
    }, 300_000);
  });

  test('a volunteer cache too small for the pack: the build runs here, nothing partial is left, and the log says "no space left" in one line', async () => {
    const cache = join(root, 'full', 'cache');
    unmounts.push(mountTmpfs(cache, SMALL_CACHE_KIB));
    chmodSync(cache, 0o700);
    const full = await volunteerNamed('full', { hide: compilersHere() }, cache);
    const env = agent(full.volunteer, 'full-agent', existsSync(join(root, 'one', 'cache')) ? 'one' : undefined);
    const dir = project('full-agent');
    const build = await makeProject(dir, env, '-O2');
    expect({ code: build.code, stderr: build.stderr }).toEqual({ code: 0, stderr: '' });
    const outcome = await pushOutcome(env);
    console.log(`push to a full disk: ${outcome}`);
    expect(outcome).toMatch(new RegExp(`${full.volunteer.alias}/2: toolchain pack [0-9a-f]{12} not pushed: no space left for the pack in \\S+ \\(\\d+\\.\\d s\\)$`));
    expect(storeEntries(full.toolchains)).toEqual({ packs: [], other: [] });
    // Nothing went remote: the host lacks gcc, and the pack never landed.
    for (const line of jobLines(env)) expect(line).not.toMatch(/compiled on /);
    expectLocalObjects(dir, '-O2');
  }, 300_000);

  test("a volunteer whose gcc-12 is really gcc-11: its own gcc is not used, the pushed pack is, and objects are gcc-12's", async () => {
    const driver = (version: number): string => execFileSync('readlink', ['-f', `/usr/bin/gcc-${version}`], { encoding: 'utf8' }).trim();
    const libexec = (version: number): string => `/usr/lib/gcc/x86_64-linux-gnu/${version}`;
    const other = await volunteerNamed('other', {
      replace: [
        [driver(11), driver(12)],
        [libexec(11), libexec(12)],
      ],
    });
    const look = await runCaptured(['ssh', '-F', other.volunteer.sshConfigFile, other.volunteer.alias, 'gcc --version | head -1; gcc -print-prog-name=cc1'], { cwd: root, env: pushAgentEnv(root, other.volunteer, 'look') });
    expect(look.stdout).toMatch(/^gcc \S+ 11\.\d+\.\d+.*\n.*\/11\/cc1\n$/);
    const env = agent(other.volunteer, 'other-agent', existsSync(join(root, 'one', 'cache')) ? 'one' : undefined);
    const dir = project('other-agent');
    const build = await makeProject(dir, env, '-O2');
    expect({ code: build.code, stderr: build.stderr }).toEqual({ code: 0, stderr: '' });
    // The first job reached the volunteer and was turned away by its fingerprint, not its name.
    expect(jobLines(env).filter((line) => /compiled locally: /.test(line)).join("\n")).toMatch(/differs|mismatch/);
    expect(await pushOutcome(env)).toMatch(/ in place: sent [1-9]\d* of \d+ files/);
    expectLocalObjects(dir, '-O2');
    await expectRemoteBuild(dir, env, other.volunteer);
  }, 300_000);
}
