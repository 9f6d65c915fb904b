import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NO_JOB_EVENTS, type HostsConfig } from '../events';
import { CompileRouter } from './compile-router';
import { turn } from './path-watches-test-fixture';

/** How the router is told of each configuration it builds: the hosts it read. */
function slotsOf(config: HostsConfig): number[] {
  return config.hosts.map((host) => host.slots);
}

describe('CompileRouter and the hosts file', () => {
  let dir: string;
  let router: CompileRouter;
  const built: HostsConfig[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(tmpdir(), 'sshcc-router-'));
    built.length = 0;
    router = new CompileRouter(() => undefined, { ...NO_JOB_EVENTS, hosts: (config) => built.push(config) });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await router.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A compile the agent answers without compiling (`--version` is the driver's own answer). */
  const compile = () =>
    router.handle(
      { argv: ['gcc', '--version'], argv0: 'sshcc', cwd: dir, env: { HOME: dir, SSHCC_DIR: dir, PATH: process.env.PATH ?? '' }, umask: 0o022, clientExe: '' },
      { signal: new AbortController().signal },
    );

  it('takes an editor-saved hosts file at the next compile, and stats it on no compile', async () => {
    const hosts = path.join(dir, 'hosts');
    fs.writeFileSync(hosts, 'localhost/3\n');
    // The module object itself (not this file's import of it), which the router's calls go through.
    const nodeFs = jest.requireActual<typeof fs>('node:fs');
    const stats = [jest.spyOn(nodeFs, 'statSync'), jest.spyOn(nodeFs, 'lstatSync'), jest.spyOn(nodeFs, 'stat'), jest.spyOn(nodeFs.promises, 'stat')];
    let compiles = 0;
    const counted = () => {
      compiles++;
      return compile();
    };
    for (let i = 0; i < 40; i++) await counted();
    expect(built.map(slotsOf)).toEqual([[3]]);
    // Saved as editors do: a new file renamed over the old one.
    fs.writeFileSync(`${hosts}.new`, 'localhost/5\n');
    fs.renameSync(`${hosts}.new`, hosts);
    // The watch's event is a macrotask: each try lets it in.
    while (built.length === 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await counted();
    }
    expect(built.map(slotsOf)).toEqual([[3], [5]]);
    const statted = stats.flatMap((spy) => spy.mock.calls.map((call) => String(call[0])));
    // Looked at only to watch it (PathWatches walks the path twice per watch: two watches here), never per
    // compile; so is /etc/sshcc/hosts, whose missing directory is watched through /etc.
    expect(statted.filter((file) => file === hosts)).toHaveLength(4);
    expect(statted.filter((file) => file === '/etc/sshcc/hosts').length).toBeLessThan(compiles / 4);
  });

  it('runs a compiler installed ahead on PATH from the next compile on, and the old one once it is removed again', async () => {
    const bin = path.join(dir, 'bin');
    const request = (env: Record<string, string>) =>
      router.handle({ argv: ['gcc', '--version'], argv0: 'sshcc', cwd: dir, env, umask: 0o022, clientExe: '' }, { signal: new AbortController().signal });
    const env = { HOME: dir, SSHCC_DIR: dir, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const ran = async () => {
      const answer = await request(env);
      return answer.kind === 'exec' ? answer.argv[0] : answer.kind;
    };
    const system = await ran();
    expect(system).not.toBe(path.join(bin, 'gcc'));
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'gcc'), '#!/bin/sh\n', { mode: 0o755 });
    await turn();
    expect(await ran()).toBe(path.join(bin, 'gcc'));
    fs.rmSync(path.join(bin, 'gcc'));
    await turn();
    expect(await ran()).toBe(system);
  });
});
