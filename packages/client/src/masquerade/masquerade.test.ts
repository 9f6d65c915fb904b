import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryAgent } from '../agent/agent-control';
import { localAgentPaths } from '../wire/local-agent-paths';
import { CLIENT_KINDS, buildClients, cleanUpClients, clientEnv, endProcessesMarkedWith, okSourceDir, run, type ClientBuilds } from '../thin/client-test-fixture';
import { MASQUERADE_COMPILERS } from './compiler-names';
import { makeMasqueradeLinks, removeMasqueradeLinks } from './make-masquerade-links';

let builds: ClientBuilds;
let work: string;

beforeAll(() => {
  builds = buildClients();
  work = okSourceDir('sshcc-masq-');
}, 60_000);

afterAll(() => cleanUpClients(builds, work));

describe('makeMasqueradeLinks', () => {
  it('links each compiler name to sshcc, keeps its own links, and leaves anything else alone', () => {
    const dir = join(work, 'links');
    const target = builds.sshcc('shim');
    expect(makeMasqueradeLinks(dir, target).map((o) => o.action)).toEqual(MASQUERADE_COMPILERS.map(() => 'created'));
    for (const name of MASQUERADE_COMPILERS) expect(readlinkSync(join(dir, name))).toBe(target);

    const again = makeMasqueradeLinks(dir, target, ['gcc', 'cpp']);
    expect(again.map((o) => o.action)).toEqual(['kept', 'created']);

    writeFileSync(join(dir, 'tcc'), 'not sshcc');
    expect(makeMasqueradeLinks(dir, target, ['tcc'])).toEqual([
      { name: 'tcc', path: join(dir, 'tcc'), action: 'skipped', why: 'a file that is not a link to sshcc is in the way' },
    ]);
    expect(removeMasqueradeLinks(dir, target, ['gcc', 'tcc', 'nope']).map((o) => o.action)).toEqual(['removed', 'skipped', 'skipped']);
    expect(existsSync(join(dir, 'gcc'))).toBe(false);
    expect(readFileSync(join(dir, 'tcc'), 'utf8')).toBe('not sshcc');
  });
});

describe.each(CLIENT_KINDS)('masquerade through the %s client', (kind) => {
  let sshccDir: string;

  afterEach(async () => {
    await endProcessesMarkedWith(`SSHCC_DIR=${sshccDir}\0`);
  });

  it('runs the real gcc for `gcc`, with the link folder first on PATH twice, through the agent', async () => {
    sshccDir = join(work, `${kind}-agent`);
    const masq = join(work, `${kind}-masq`);
    makeMasqueradeLinks(masq, builds.sshcc(kind));
    const env = clientEnv(sshccDir, { PATH: `${masq}:${masq}:${process.env.PATH ?? ''}` });
    const result = await run(['gcc', '-c', 'ok.c', '-o', `${kind}-masq.o`], { cwd: work, env });
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr.toString()).toBe('');
    expect(readFileSync(join(work, `${kind}-masq.o`)).equals(readFileSync(join(work, 'direct.o')))).toBe(true);
    expect((await queryAgent(localAgentPaths({ SSHCC_DIR: sshccDir })))?.jobsServed).toBe(1);

    // `gcc --version` is the real gcc's own answer, not sshcc's CLI.
    const version = await run(['gcc', '--version'], { cwd: work, env });
    expect(version.stdout.toString()).toBe(execFileSync('gcc', ['--version']).toString());
  });

  it('gives up after a bounded number of rounds when a copy of sshcc sits on PATH as gcc', async () => {
    sshccDir = join(work, `${kind}-loop`);
    const masq = join(work, `${kind}-loop-masq`);
    const copies = join(work, `${kind}-copies`);
    makeMasqueradeLinks(masq, builds.sshcc(kind));
    mkdirSync(copies);
    copyFileSync(realpathSync(builds.sshcc(kind)), join(copies, 'gcc'));
    execFileSync('chmod', ['755', join(copies, 'gcc')]);
    const env = clientEnv(sshccDir, { PATH: `${masq}:${copies}:${process.env.PATH ?? ''}` });
    const result = await run(['gcc', '-c', 'ok.c', '-o', `${kind}-loop.o`], { cwd: work, env });
    expect(result.code).toBe(104);
    expect(result.stderr.toString()).toMatch(/^sshcc: compiler: \S*gcc leads back to sshcc 3 times \(a masquerade link or wrapper earlier on PATH runs sshcc again; check PATH\)\n$/);
  });
});
