// Reliability: what an agent SIGKILLed mid-job leaves behind. Nothing may be: not the preprocessor a
// client runs for it, not a compiler it runs itself, not a temp file beside a target (the next agent
// removes that one). An include that is a FIFO holds gcc at a known point, for as long as a test needs:
// cc1 waits in open() until the test writes the header into it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBuildFixture } from './support/build-fixture';
import { listProcesses, waitFor } from './support/build-processes';
import { REPO, SSHCC, THIN_CLIENT } from './support/build-project';
import type { BuildSession } from './support/build-session';
import { tempFilesIn } from './support/fault-build';
import { agentPid, faultEnvironment } from './support/fault-session';

/** Generous: this machine may be running other suites at the same time. */
const WAIT_MS = 60_000;
/** What is left of a killed agent's work must be gone this soon after. */
const GONE_MS = 5000;
const HEADER = '#define FED 7\n';

const fixture = useBuildFixture({ name: 'sshcc-reliability-leftovers-', prepare: () => undefined, prepareMs: 10_000, projects: () => [] });

const CLIENTS: [string, string[]][] = [
  ['the C shim', [SSHCC]],
  ['the TS thin client', [process.execPath, THIN_CLIENT]],
];

/** A folder with fed.c, whose include fed.h is a FIFO, and the object gcc makes of it when fed.h is a file. */
function fifoSource(s: BuildSession): { dir: string; expected: Buffer } {
  const dir = join(s.dir, 'fed');
  const reference = join(s.dir, 'fed-reference');
  for (const folder of [dir, reference]) {
    mkdirSync(folder);
    writeFileSync(join(folder, 'fed.c'), '#include "fed.h"\nint fed(void) { return FED; }\n');
  }
  writeFileSync(join(reference, 'fed.h'), HEADER);
  execFileSync('gcc', ['-O2', '-c', 'fed.c', '-o', 'fed.o'], { cwd: reference });
  execFileSync('mkfifo', [join(dir, 'fed.h')]);
  return { dir, expected: readFileSync(join(reference, 'fed.o')) };
}

/** Writes HEADER into the FIFO once, for the next gcc that opens it (waiting for one, as long as `ms`). */
function feed(dir: string, ms = WAIT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const writer = spawn('/bin/sh', ['-c', 'printf "%s" "$1" > "$2"', 'sh', HEADER, join(dir, 'fed.h')], { stdio: 'ignore', timeout: ms });
    writer.on('error', reject);
    writer.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`no gcc opened ${dir}/fed.h within ${ms} ms`))));
  });
}

/** The parent of every live process. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const info of listProcesses()) {
    try {
      const stat = readFileSync(`/proc/${info.pid}/stat`, 'latin1');
      map.set(info.pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

/** Live processes below `pid` (children, theirs, ...). */
function descendantsOf(pid: number): number[] {
  const parentOf = parents();
  const below = (p: number): boolean => {
    for (let up = parentOf.get(p); up !== undefined && up > 1; up = parentOf.get(up)) if (up === pid) return true;
    return false;
  };
  return [...parentOf.keys()].filter(below);
}

/** gcc's processes (driver, cc1) working in `dir`, with `-E` (the preprocessor) or without (a compile). */
function gccIn(dir: string, preprocessing: boolean): number[] {
  return listProcesses()
    .filter((info) => /^(gcc|cc1)$/.test(info.name) && info.cwd === dir && info.argv.includes('-E') === preprocessing)
    .map((info) => info.pid);
}

function stillAlive(pids: readonly number[]): number[] {
  const live = new Set(listProcesses().map((info) => info.pid));
  return pids.filter((pid) => live.has(pid));
}

test.each(CLIENTS)('%s, running the preprocessor for the agent when the agent is SIGKILLed: nothing of the preprocessor stays; the compile runs here', async (_kind, client) => {
  const s = await fixture.start({ volunteers: 1 });
  const env = faultEnvironment(s);
  const { dir, expected } = fifoSource(s);
  const compile = s.start([...client, 'gcc', '-O2', '-c', 'fed.c', '-o', 'fed.o'], { cwd: dir, env });
  // gcc -E's cc1 waits for fed.h: the driver and it, both the client's children and grandchildren.
  expect(await waitFor(() => gccIn(dir, true).length === 2, WAIT_MS, 10)).toBe(true);
  const preprocessor = gccIn(dir, true);
  process.kill(agentPid(env) as number, 'SIGKILL');

  expect(await waitFor(() => stillAlive(preprocessor).length === 0, GONE_MS)).toBe(true);
  // The client compiles here instead; its cc1 waits for fed.h in turn.
  await feed(dir);
  const result = await compile.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(readFileSync(join(dir, 'fed.o')).equals(expected)).toBe(true);
  expect(gccIn(dir, true)).toEqual([]);
}, 120_000);

test("the agent SIGKILLed while it compiles a job itself (its volunteer refused): the compiler dies with it; the client's own compile stands", async () => {
  const s = await fixture.start({ volunteers: 1 });
  // Nothing listens on port 1: the job falls back to the agent's own compile.
  const env = faultEnvironment(s, { SSHCC_HOSTS: '127.0.0.1:1/2' });
  const { dir, expected } = fifoSource(s);
  const agent = agentPid(env) as number;
  const compile = s.start([SSHCC, 'gcc', '-O2', '-c', 'fed.c', '-o', 'fed.o'], { cwd: dir, env });
  // The first gcc to open fed.h is the client's preprocessor; the next, the agent's compile.
  await feed(dir);
  expect(await waitFor(() => gccIn(dir, false).some((pid) => descendantsOf(agent).includes(pid)), WAIT_MS, 10)).toBe(true);
  const agentsCompile = descendantsOf(agent);
  expect(agentsCompile.length).toBeGreaterThanOrEqual(2); // the driver and cc1 (and the guard)
  process.kill(agent, 'SIGKILL');

  expect(await waitFor(() => stillAlive(agentsCompile).length === 0, GONE_MS)).toBe(true);
  await feed(dir);
  const result = await compile.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(readFileSync(join(dir, 'fed.o')).equals(expected)).toBe(true);
}, 120_000);

test('the agent SIGKILLed between writing an object and renaming it into place: the next agent removes the temp file', async () => {
  const s = await fixture.start({ volunteers: 1, startAgent: false });
  const dir = join(s.dir, 'objects');
  mkdirSync(dir);
  writeFileSync(join(dir, 'held.c'), 'int held(void) { return 42; }\n');
  // The real agent, except that renaming a temp file into `dir` never finishes: it is SIGKILLed there.
  const held = join(s.dir, 'held-rename');
  const entry = join(s.dir, 'holding-agent.js');
  writeFileSync(
    entry,
    `const fs = require('node:fs');
     const fsp = require('node:fs/promises');
     const rename = fsp.rename;
     const renameSync = fs.renameSync;
     const into = (to) => String(to).startsWith(${JSON.stringify(`${dir}/`)});
     fsp.rename = (from, to) => {
       if (!into(to)) return rename(from, to);
       fs.writeFileSync(${JSON.stringify(held)}, String(from));
       return new Promise(() => undefined);
     };
     // Small outputs are renamed synchronously: this one blocks the agent's thread until it is killed.
     fs.renameSync = (from, to) => {
       if (!into(to)) return renameSync(from, to);
       fs.writeFileSync(${JSON.stringify(held)}, String(from));
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
     };
     require(${JSON.stringify(join(REPO, 'packages/client/dist/agent/main.js'))});\n`,
  );
  const env = faultEnvironment(s, { SSHCC_AGENT_ENTRY: entry });
  await s.startAgent(env);
  const killed = agentPid(env) as number;
  const compile = s.start([SSHCC, 'gcc', '-c', 'held.c', '-o', 'held.o'], { cwd: dir, env });
  const heldTemp = (): string => (existsSync(held) ? readFileSync(held, 'utf8') : '');
  expect(await waitFor(() => heldTemp() !== '', WAIT_MS, 10)).toBe(true);
  const temp = heldTemp();
  expect(temp).toMatch(new RegExp(`/\\.held\\.o\\.sshcc-${killed}-\\d+-\\d+\\.tmp$`));
  process.kill(killed, 'SIGKILL');
  // The client compiles here instead; the dead agent's temp file stays, for now.
  const result = await compile.done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(tempFilesIn(dir)).toEqual([temp.slice(dir.length + 1)]);

  // The next agent, started anywhere (the agent's folder says where to look), removes it.
  rmSync(entry);
  await s.startAgent(s.env);
  expect(await waitFor(() => tempFilesIn(dir).length === 0, GONE_MS)).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(['held.c', 'held.o']);
  expect(s.agentLog()).toContain(`removed 1 temp file(s) that an agent killed mid-write left: ${temp}`);
  expect(readdirSync(env.SSHCC_DIR as string).filter((name) => name.startsWith(`agent.temps-${killed}-`))).toEqual([]);
}, 120_000);
