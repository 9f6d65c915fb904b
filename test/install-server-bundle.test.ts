// The server bundle that `sshcc install-server` copies to volunteers must run with nothing beside it:
// built here into a temp dir that has no node_modules above it, it must answer --version and
// --print-sshd-config, and serve a zstd-compressed compile over stdin/stdout (zstd-codec's WASM inside).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clientHandshake } from '@sshcc/protocol';
import { gccJobSpec } from '../packages/server/src/test-job-spec';

const BUILD_SCRIPT = resolve(__dirname, '../packages/server/build/bundle-server.js');
const SERVER_VERSION = (JSON.parse(readFileSync(resolve(__dirname, '../packages/server/package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let bundle: string;
let env: NodeJS.ProcessEnv;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcc-bundle-'));
  bundle = join(dir, 'bin', 'sshcc-server.js');
  const build = spawnSync(process.execPath, [BUILD_SCRIPT, '--out', bundle], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bundle-server.js failed: ${build.stderr}`);
  // Nothing to resolve packages from: no node_modules up the tree, no NODE_PATH, a config dir of its own.
  for (let at = dir; at !== dirname(at); at = dirname(at)) if (existsSync(join(at, 'node_modules'))) throw new Error(`${at}/node_modules exists`);
  env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), TMPDIR: dir, LANG: 'C' };
}, 30_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function runBundle(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bundle, ...args], { cwd: dir, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the sshcc-server bundle', () => {
  it('loads only Node built-ins at run time', () => {
    const required = [...readFileSync(bundle, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1] as string);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !isBuiltin(name))).toEqual([]);
  });

  it('says its version and the sshd_config line that runs it, from a folder with nothing else in it', () => {
    expect(runBundle(['--version'])).toEqual({ status: 0, stdout: `sshcc-server ${SERVER_VERSION}\n`, stderr: '' });
    expect(runBundle(['--print-sshd-config'])).toEqual({ status: 0, stdout: `Subsystem sshcc ${process.execPath} ${bundle}\n`, stderr: '' });
  });

  it('serves a zstd-compressed compile on stdin/stdout', async () => {
    const child = spawn(process.execPath, [bundle], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const session = await clientHandshake({ input: child.stdout, output: child.stdin }, { compression: 'zstd' });
    expect(session.compression).toBe('zstd');
    expect(session.hello.server).toBe(`sshcc-server/${SERVER_VERSION}`);
    // Large enough that the compressed frame is really zstd's work, not a tiny literal block.
    const source = Buffer.from(Array.from({ length: 400 }, (_, i) => `int value${i}(void) { return ${i} * ${i}; }\n`).join(''));
    const spec = await gccJobSpec(dir, { args: ['-c', '-O1'], input: 'values.c', output: 'values.o', sourceBytes: source.length });
    const result = await session.runJob(spec, source);
    expect({ kind: result.kind, exitCode: result.exitCode, stderr: result.stderr.toString() }).toEqual({ kind: 'compiled', exitCode: 0, stderr: '' });
    expect(result.outputs.get('values.o')?.subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
    await session.close();
    expect(await exited).toBe(0);
  }, 30_000);
});
