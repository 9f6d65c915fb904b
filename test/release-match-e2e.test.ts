// Another build of the client's gcc release on a volunteer (the host option `,map=`), through real sshd
// volunteers whose gcc driver is another file at the same path (bind-mounted over it in their private
// namespace), so no compiler there has the client's fingerprint:
// - "rebuild": gcc 12's driver with bytes appended: the same behaviour, another sha256;
// - "liar": a script that answers --version and -dumpmachine as gcc 12 does, but compiles at -O0.
// With the map, the rebuild's objects are verified until 8 in a row matched, then 1 in 16; the liar is
// caught on its first object. Without it, neither is used: only an exact match will do.

import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hidingUnavailable, makeClientConfig, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { agentStats, compareWithLocal, type FlaggedSource } from './support/local-rebuild';
import { TestAgent } from './support/security-agent';
import { mustRun, writeFiles } from './support/split-compile';

const reason = hidingUnavailable();

/** 24 sources: 8 to earn trust, then 16 more, of which 1 is verified. Every other one with debug info. */
const SOURCES: readonly FlaggedSource[] = Array.from({ length: 24 }, (_, i) => [`s${String(i + 1).padStart(2, '0')}`, i % 2 === 0 ? ['-O2'] : ['-O2', '-g']]);
const FEW = SOURCES.slice(0, 4);

/** What a build of `sources` through a volunteer comes to when every object is as good as gcc's here. */
function localEquivalent(sources: readonly FlaggedSource[]): ReturnType<typeof compareWithLocal> {
  return {
    identical: sources.filter(([, flags]) => !flags.includes('-g')).map(([name]) => `${name}.o`),
    debugEquivalent: sources.filter(([, flags]) => flags.includes('-g')).map(([name]) => `${name}.o`),
    differences: [],
  };
}

/** ... and when every object was compiled here: those with -g too are byte for byte gcc's. */
function allHere(sources: readonly FlaggedSource[]): ReturnType<typeof compareWithLocal> {
  return { identical: sources.map(([name]) => `${name}.o`), debugEquivalent: [], differences: [] };
}

if (reason !== undefined) {
  test('release-match volunteers cannot run here, and the reason is printed', () => {
    console.log(`release-match tests not run: ${reason}`);
    expect(reason).toMatch(/not root|unshare --mount/);
  });
} else {
  let root: string;
  let project: string;
  let rebuild: Volunteer;
  let liar: Volunteer;
  let liarCompiles: string;
  let config: ClientConfig;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'sshcc-release-')));
    project = join(root, 'project');
    writeFiles(
      project,
      Object.fromEntries(SOURCES.map(([name], i) => [`src/${name}.c`, `static int seen;\nint ${name}_value(int x) { for (int k = 0; k < x; k++) seen += k * ${i + 3}; return seen; }\n`])),
    );
    const driver = realpathSync(mustRun(['sh', '-c', 'command -v gcc'], root).toString().trim());
    // Another build: the same program, another sha256 (an ELF file runs the same with bytes after it).
    const otherBuild = join(root, 'rebuild-gcc');
    copyFileSync(driver, otherBuild);
    appendFileSync(otherBuild, 'another build of the same release\n');
    // The liar runs a copy of the real driver kept off PATH (so nothing on its PATH is the client's
    // build) under the name it was called by, which --version prints and the fingerprint strips.
    const realCopy = join(root, 'liar-real-gcc');
    copyFileSync(driver, realCopy);
    liarCompiles = join(root, 'liar-compiles.log');
    writeFileSync(liarCompiles, '');
    const lie = join(root, 'liar-gcc');
    writeFileSync(
      lie,
      [
        '#!/bin/bash',
        `if [[ " $* " == *" -c "* ]]; then echo "$*" >> ${liarCompiles}; exec -a "$0" ${realCopy} "$@" -O0; fi`,
        `exec -a "$0" ${realCopy} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    [rebuild, liar] = await Promise.all([startVolunteer({ replace: [[otherBuild, driver]] }), startVolunteer({ replace: [[lie, driver]] })]);
    config = await makeClientConfig([rebuild, liar]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await config?.remove();
    await stopAll();
    rmSync(root, { recursive: true, force: true });
  });

  /** An agent for `hosts` with packs off (a pack would be an exact match, which is not what is tested) and no SSHCC_VERIFY. */
  function agentFor(hosts: string): TestAgent {
    const agent = TestAgent.create(config.env, hosts);
    agents.push(agent);
    agent.env.SSHCC_PACKS = '0';
    delete agent.env.SSHCC_VERIFY;
    return agent;
  }

  async function build(agent: TestAgent, objDir: string, sources: readonly FlaggedSource[]): Promise<void> {
    mkdirSync(join(project, objDir));
    for (const [name, flags] of sources) {
      const result = await agent.compile(['gcc', ...flags, '-c', `src/${name}.c`, '-o', `${objDir}/${name}.o`], project);
      expect({ name, ...result }).toEqual({ name, code: 0, stdout: '', stderr: '' });
    }
  }

  const compiles = (): string[] => readFileSync(liarCompiles, 'utf8').split('\n').filter((line) => line !== '');

  it("uses another build of gcc's release under the name the map gives, verified until 8 objects matched, then 1 in 16", async () => {
    const spec = `${rebuild.alias}/2,map=gcc:gcc-12`;
    const agent = agentFor(spec);
    await build(agent, 'obj-rebuild', SOURCES);
    expect(agent.jobs().map((job) => [job.output, job.host])).toEqual(SOURCES.map(([name]) => [`obj-rebuild/${name}.o`, spec]));
    expect(compareWithLocal(project, 'obj-rebuild', SOURCES)).toEqual(localEquivalent(SOURCES));
    const stats = await agentStats(agent, project);
    // Jobs 1 to 8, then the 16th after them: verified without SSHCC_VERIFY, since no exact match ran them.
    expect(stats.verify).toEqual({ checked: 9, mismatched: 0 });
    expect(stats.hosts[spec]).toMatchObject({ jobs: SOURCES.length, verified: 9, failures: {} });
    expect(agent.agentLog()).toContain(
      `${spec}: gcc answered by another build of its release: 8 objects in a row matched this machine's; from now on 1 remote job in 16 is verified`,
    );
  }, 180_000);

  it("catches a liar with the map on its first object: this machine's object is kept, the host gets no more gcc jobs", async () => {
    const before = compiles().length;
    const spec = `${liar.alias}/2,map=gcc:gcc`;
    const agent = agentFor(spec);
    await build(agent, 'obj-liar', FEW);
    expect(compiles().length - before).toBe(1);
    expect(agent.jobs()).toEqual([
      { output: 'obj-liar/s01.o', host: null, why: `${spec}'s object differed from this machine's (sampled verification)` },
      ...FEW.slice(1).map(([name]) => ({ output: `obj-liar/${name}.o`, host: null, why: 'no volunteer is usable' })),
    ]);
    expect(compareWithLocal(project, 'obj-liar', FEW)).toEqual(allHere(FEW));
    expect(agent.agentLog()).toMatch(
      new RegExp(
        `${spec}: ${join(project, 'obj-liar', 's01.o')}: .*: s01\\.o: volunteer sha256 ([0-9a-f]{64}), here sha256 (?!\\1)[0-9a-f]{64}; ${spec} gets no more jobs for gcc from this agent`,
      ),
    );
    const stats = await agentStats(agent, project);
    expect(stats.verify).toEqual({ checked: 1, mismatched: 1 });
    expect(stats.hosts[spec]).toMatchObject({ jobs: 0, failures: { 'verify-mismatch': 1 } });
  }, 120_000);

  it('without the map, uses neither volunteer: another build is no exact match', async () => {
    const before = compiles().length;
    const agent = agentFor(`${rebuild.alias}/2 ${liar.alias}/2`);
    await build(agent, 'obj-exact', FEW);
    expect(compiles().length).toBe(before);
    expect(agent.jobs().map((job) => job.host)).toEqual(FEW.map(() => null));
    expect(compareWithLocal(project, 'obj-exact', FEW)).toEqual(allHere(FEW));
    const stats = await agentStats(agent, project);
    expect(stats.verify).toEqual({ checked: 0, mismatched: 0 });
    for (const volunteer of [rebuild, liar]) expect(stats.hosts[`${volunteer.alias}/2`]).toMatchObject({ jobs: 0, failures: { 'compiler-mismatch': 1 } });
    expect(agent.agentLog()).toMatch(/gcc: driver binary differs \(sha256 [0-9a-f]{12} on the client, [0-9a-f]{12} here\)/);
  }, 120_000);
}
