// `sshcc ping` against real sshd volunteers, one per way a host can be (un)usable: a good one (whose
// gcc is a different program than ours, so it differs while g++ matches; it holds no toolchain pack yet),
// one that no longer answers, one whose host key is not the one known_hosts holds, and one with no
// sshcc-server at all.
// Runs the BUILT CLI (npm run build first).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PingReport } from '../packages/client/src/ping';
import { makeClientConfig, startVolunteer, stopAll, type ClientConfig, type Volunteer } from '@sshcc/testkit';
import { runCaptured, type CapturedRun as Run } from './support/captured-run';

const CLI = resolve(__dirname, '../packages/client/bin/sshcc.js');
const CLI_MAIN = resolve(__dirname, '../packages/client/dist/cli/main.js');

let root: string;
let config: ClientConfig;
let good: Volunteer;
let gone: Volunteer;
let badKey: Volunteer;
let bare: Volunteer;

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: build first (npm run build)`);
  root = mkdtempSync(join(tmpdir(), 'sshcc-ping-'));
  const wrappers = join(root, 'wrappers');
  const emptyHome = join(root, 'bare-home');
  for (const dir of [wrappers, emptyHome, join(root, 'client-home'), join(root, 'config')]) mkdirSync(dir);
  // The same gcc behind a script: same version, different driver, so its fingerprint differs from ours.
  writeFileSync(join(wrappers, 'gcc'), '#!/bin/sh\nexec /usr/bin/gcc "$@"\n');
  chmodSync(join(wrappers, 'gcc'), 0o755);
  // Only gcc and g++ allowed there: a volunteer matches by identity, so with gcc-12 allowed too it would
  // run our gcc's jobs with that (the same build) and gcc would match after all.
  mkdirSync(join(root, 'good-config', 'sshcc'), { recursive: true });
  writeFileSync(join(root, 'good-config', 'sshcc', 'server.json'), JSON.stringify({ compilers: ['gcc', 'g++'] }));
  const configHome = { XDG_CONFIG_HOME: join(root, 'config') };
  // Compilers are matched by identity, and gcc-12 there is our gcc: only names without such a twin are
  // allowed, so gcc can only be the wrapper, and differs.
  mkdirSync(join(root, 'config', 'sshcc'));
  writeFileSync(join(root, 'config', 'sshcc', 'server.json'), JSON.stringify({ compilers: ['gcc', 'g++', 'x86_64-linux-gnu-g++*', 'clang*'] }));
  [good, gone, badKey, bare] = await Promise.all([
    startVolunteer({ env: { XDG_CONFIG_HOME: join(root, 'good-config'), PATH: `${wrappers}:/usr/local/bin:/usr/bin:/bin` } }),
    startVolunteer({ env: configHome }),
    startVolunteer({ env: configHome }),
    // Neither the subsystem nor a per-user install in its (empty) home.
    startVolunteer({ subsystem: false, env: { ...configHome, HOME: emptyHome } }),
  ]);
  // known_hosts holds good's key for badKey's address: the key badKey shows is then a changed key.
  config = await makeClientConfig([good, gone, { alias: badKey.alias, host: badKey.host, port: badKey.port, user: badKey.user, identityFile: badKey.identityFile, hostPublicKey: good.hostPublicKey }, bare]);
  await gone.kill();
}, 60_000);

afterAll(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

function sshcc(args: readonly string[], hosts: readonly Volunteer[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...config.env,
    HOME: join(root, 'client-home'),
    SSHCC_DIR: join(root, 'client-home', '.sshcc'),
    SSHCC_HOSTS: hosts.map((v) => v.alias).join(' '),
  };
  for (const name of ['SSH_AUTH_SOCK', 'SSHCC_SERVER_COMMAND', 'DISTCC_HOSTS']) delete env[name];
  return runCaptured([process.execPath, CLI, ...args], { cwd: root, env });
}

describe('sshcc ping --json', () => {
  let run: Run;
  let reports: PingReport[];

  beforeAll(async () => {
    run = await sshcc(['ping', '--json'], [good, gone, badKey, bare]);
    reports = JSON.parse(run.stdout);
  }, 60_000);

  it('reports every host in list order and exits with the first unusable host\'s code', () => {
    expect(run.stderr).toBe('');
    expect(reports.map((r) => [r.host, r.usable])).toEqual([
      [good.alias, true],
      [gone.alias, false],
      [badKey.alias, false],
      [bare.alias, false],
    ]);
    expect(run.code).toBe(110);
  });

  it('describes the good host: server, machine, timings, and which compilers match', () => {
    const [report] = reports;
    expect(report).toMatchObject({
      destination: `${good.user}@127.0.0.1:${good.port}`,
      reachable: true,
      hostKeyOk: true,
      authOk: true,
      error: null,
      server: { mode: 'subsystem', command: 'subsystem sshcc', version: 'sshcc-server/0.1.0', protocol: 1, protocols: [1], compression: 'zstd' },
    });
    // A fresh volunteer of this machine's arch takes pushes and holds no pack yet.
    expect(report?.server).toMatchObject({ arch: process.arch, packs: [], noPush: null });
    expect(report?.server?.cpus).toBeGreaterThanOrEqual(1);
    expect(report?.server?.load).toHaveLength(3);
    for (const ms of Object.values(report?.timings ?? {})) expect(ms).toBeGreaterThan(0);
    // The volunteer's clock from its hello, give or take half the round trip (the same machine's clock here).
    expect(report?.clock).toEqual({ skewMs: expect.any(Number), uncertaintyMs: expect.any(Number) });
    const byName = new Map(report?.compilers.map((c) => [c.name, c]));
    expect(byName.get('g++')).toMatchObject({ status: 'match', detail: null, here: { path: expect.stringMatching(/\/g\+\+$/), driver: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(byName.get('gcc')).toMatchObject({ status: 'mismatch', detail: expect.stringContaining('driver'), here: { path: expect.stringMatching(/\/gcc$/) } });
  });

  it('tells an unreachable host from one with a changed host key and one without sshcc-server', () => {
    const [, unreachable, changedKey, noServer] = reports;
    expect(unreachable).toMatchObject({ reachable: false, hostKeyOk: null, authOk: null, server: null, compilers: [], destination: null, clock: null });
    expect(unreachable?.error).toEqual({ code: 'connect', exitCode: 110, message: expect.stringMatching(/^sshcc: connect: cannot connect to .*: connection refused$/) });
    expect(changedKey).toMatchObject({ reachable: true, hostKeyOk: false, authOk: null, server: null });
    expect(changedKey?.error).toMatchObject({ code: 'host-key', exitCode: 112 });
    expect(noServer).toMatchObject({ reachable: true, hostKeyOk: true, authOk: true, server: null, destination: `${bare.user}@127.0.0.1:${bare.port}` });
    expect(noServer?.error).toMatchObject({ code: 'protocol', exitCode: 113, message: expect.stringContaining('cannot start sshcc-server') });
    expect(noServer?.error?.message).toContain('~/.local/lib/sshcc/sshcc-server');
  });
});

describe('sshcc ping', () => {
  it('prints a readable report and exits 0 when every host is usable', async () => {
    const run = await sshcc(['ping'], [good]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`${good.alias}: ok (${good.user}@127.0.0.1:${good.port})`);
    expect(run.stdout).toMatch(/^ {2}server: +sshcc-server\/0\.1\.0, protocol 1, zstd, by subsystem sshcc$/m);
    expect(run.stdout).toMatch(/^ {2}time: +connect [\d.]+ ms, server start [\d.]+ ms, round trip [\d.]+ ms$/m);
    expect(run.stdout).toMatch(/^ {2}clock: +\d+\.\d{3} s (ahead of|behind) this machine \(± \d+\.\d{3} s\)$/m);
    expect(run.stdout).toMatch(/^ {2}compilers: +match: g\+\+; differ: gcc$/m);
    expect(run.stdout).toMatch(/^ {2}why: +gcc: driver binary differs \(sha256 [0-9a-f]{12} on the client, [0-9a-f]{12} here\)$/m);
    expect(run.stdout).toMatch(new RegExp(`^ {2}machine: +${process.arch}, \\d+ cpus, load [\\d. ]+$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}packs: +none$/m);
    expect(run.stdout).not.toMatch(/^ {2}no push:/m);
  }, 60_000);

  it('says which stage failed for an unusable host', async () => {
    const run = await sshcc(['ping'], [badKey]);
    expect(run.code).toBe(112);
    expect(run.stdout.split('\n')[0]).toBe(`${badKey.alias}: UNUSABLE`);
    expect(run.stdout).toMatch(/^ {2}error: +sshcc: host key: /m);
    expect(run.stdout).toContain('  ssh:    reachable: yes, host key: refused, auth: not tried\n');
  }, 60_000);

  it('fails with exit code 106 when there is no remote host to ping', async () => {
    const run = await sshcc(['ping'], []);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^sshcc: hosts: no remote hosts to ping \(.*\)\n$/);
    expect(run.code).toBe(106);
  }, 30_000);
});
