import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { queryAgent } from '../../agent/agent-control';
import { startAgent } from '../../agent/start-agent';
import type { Agent } from '../../agent/types';
import { localAgentPaths } from '../../wire/local-agent-paths';
import { buildClients, endProcessesMarkedWith, removeDir, type ClientBuilds } from '../../thin/client-test-fixture';
import { agentCommand, formatDuration } from './agent';
import { masqueradeCommand } from './masquerade';

let builds: ClientBuilds;
let root: string;
const saved = { SSHCC_DIR: process.env.SSHCC_DIR, SSHCC_AGENT_ENTRY: process.env.SSHCC_AGENT_ENTRY };

beforeAll(() => {
  builds = buildClients();
  root = mkdtempSync(join(tmpdir(), 'sshcc-agent-cli-'));
  process.env.SSHCC_DIR = join(root, 'dir');
  process.env.SSHCC_AGENT_ENTRY = join(builds.dist('ts'), 'agent', 'main.js');
}, 60_000);

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await endProcessesMarkedWith(root);
  removeDir(builds.root);
  removeDir(root);
});

/** Runs the commands as the CLI would, collecting what they print. */
async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  try {
    let parser = yargs(args).exitProcess(false).strict().fail((message: string | undefined, err: Error | undefined) => {
      throw err ?? new Error(message);
    });
    parser = masqueradeCommand.register(agentCommand.register(parser));
    await parser.parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('sshcc agent', () => {
  const paths = () => localAgentPaths(process.env);

  it('reports no agent', async () => {
    expect(await cli('agent', 'status')).toBe(`no agent running (socket ${paths().socket})\n`);
    expect(JSON.parse(await cli('agent', 'status', '--json'))).toEqual({ running: false, socket: paths().socket });
    expect(await cli('agent', 'stop')).toBe('no agent running\n');
  });

  it('shows a running agent as text and JSON, and stops it', async () => {
    const result = await startAgent({ paths: paths(), idleTimeoutMs: 0 });
    if (!result.started) throw new Error('no agent');
    const agent: Agent = result.agent;
    const text = await cli('agent', 'status');
    expect(text).toMatch(new RegExp(`^pid: +${process.pid}\nsocket: +${paths().socket}\nuptime: +\\d+s\njobs served: +0\njobs active: +0\nidle exit: +never\n$`));
    expect(JSON.parse(await cli('agent', 'status', '--json'))).toMatchObject({ running: true, pid: process.pid, socket: paths().socket, jobsServed: 0 });
    expect(await cli('agent', 'stop')).toBe(`agent stopped (pid ${process.pid}, 0 jobs served)\n`);
    expect(await agent.stopped).toBe('stop-request');
  });

  it('starts the agent process, and a second start finds it', async () => {
    const first = await cli('agent', 'start');
    const status = await queryAgent(paths());
    expect(status).not.toBeNull();
    expect(first).toBe(`agent running: pid ${status?.pid}, socket ${paths().socket}\n`);
    expect(await cli('agent', 'start')).toBe(first);
    expect(await cli('agent', 'stop')).toBe(`agent stopped (pid ${status?.pid}, 0 jobs served)\n`);
    expect(await queryAgent(paths())).toBeNull();
  });

  it('runs in the foreground with the compile service and the feed behind stats', async () => {
    const cliMain = join(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');
    const env = { ...process.env, SSHCC_DIR: join(root, 'foreground'), SSHCC_HOSTS: '' };
    const agent = spawn(process.execPath, [cliMain, 'agent', 'run'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => agent.on('exit', resolve));
    try {
      const fgPaths = localAgentPaths(env);
      for (let i = 0; i < 100 && (await queryAgent(fgPaths)) === null; i++) await new Promise((r) => setTimeout(r, 50));
      const source = join(root, 'fg.c');
      writeFileSync(source, 'int fg(void) { return 1; }\n');
      execFileSync(process.execPath, [join(builds.dist('ts'), 'sshcc-thin.js'), 'gcc', '-c', source, '-o', join(root, 'fg.o')], { env });
      const stats = JSON.parse(execFileSync(process.execPath, [cliMain, 'stats', '--json'], { env }).toString());
      expect(stats.jobs).toMatchObject({ total: 1, local: 1, remote: 0 });
    } finally {
      agent.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3_725_000, '1h 2m 5s'],
    [3_605_000, '1h 0m 5s'],
    [600_000, '10m'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('sshcc masquerade', () => {
  it('says to build first when there is no sshcc executable beside the CLI', async () => {
    await expect(cli('masquerade', join(root, 'm'))).rejects.toThrow(/sshcc is missing$/);
  });
});
