import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCaptured } from './spawn-captured';

const base = { cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, umask: 0o022, maxOutputBytes: 1 << 20 };

describe('spawnCaptured', () => {
  it('captures both streams and the exit code', async () => {
    const run = await spawnCaptured(['/bin/sh', '-c', 'printf out; printf err >&2; exit 3'], { ...base, signal: new AbortController().signal });
    expect(run).toEqual({ exitCode: 3, signal: null, stdout: Buffer.from('out'), stderr: Buffer.from('err') });
  });

  it('reports a signal death by number', async () => {
    const run = await spawnCaptured(['/bin/sh', '-c', 'kill -SEGV $$'], { ...base, signal: new AbortController().signal });
    expect(run.exitCode).toBeNull();
    expect(run.signal).toBe(11);
  });

  it('kills the whole process group when aborted', async () => {
    const abort = new AbortController();
    const marker = `sshcc-spawn-test-${process.pid}-${Date.now()}`;
    const running = spawnCaptured(['/bin/sh', '-c', `sleep 30 & exec sleep 31 # ${marker}`], { ...base, signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort(new Error('client went away'));
    await expect(running).rejects.toThrow('client went away');
    const { execFileSync } = await import('node:child_process');
    const left = execFileSync('/bin/sh', ['-c', `ps -eo pid,stat,args | grep -v grep | grep -E 'sleep 3[01]$' | grep -v ' Z' || true`]).toString();
    expect(left.trim()).toBe('');
  });

  it('fails instead of buffering without bound', async () => {
    await expect(
      spawnCaptured(['/bin/sh', '-c', 'head -c 100000 /dev/zero'], { ...base, maxOutputBytes: 1000, signal: new AbortController().signal }),
    ).rejects.toThrow(/more than 1000 bytes/);
  });

  it('gives the compiler the environment as given: no PWD added, a stale one kept', async () => {
    const seen = async (env: Record<string, string>) => {
      const run = await spawnCaptured(['/usr/bin/env'], { ...base, env, signal: new AbortController().signal });
      // bash as /bin/sh sets SHLVL; dash sets nothing.
      return run.stdout.toString().split('\n').filter((line) => line !== '' && !line.startsWith('SHLVL=')).sort();
    };
    expect(await seen({ PATH: '/usr/bin:/bin', A: 'b c' })).toEqual(['A=b c', 'PATH=/usr/bin:/bin']);
    expect(await seen({ PATH: '/usr/bin:/bin', PWD: '/no/such/dir' })).toEqual(['PATH=/usr/bin:/bin', 'PWD=/no/such/dir']);
  });

  it('fails as spawn would for a compiler that cannot be run', async () => {
    await expect(spawnCaptured(['/no/such/cc', '-c'], { ...base, signal: new AbortController().signal })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('leaves no process behind when the compiler ends', async () => {
    const marker = `SSHCC_SPAWN_TEST=${process.pid}-${Date.now()}`;
    const run = await spawnCaptured(['/bin/sh', '-c', 'printf done'], { ...base, env: { ...base.env, SSHCC_SPAWN_TEST: marker.split('=')[1] as string }, signal: new AbortController().signal });
    expect(run.stdout.toString()).toBe('done');
    expect(await until(() => processesWith(marker).length === 0, 5000)).toBe(true);
  });

  describe('when the process that spawned it dies (SIGKILL: no handler runs)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sshcc-spawn-captured-'));
      // This very source, bundled for a plain node process to run.
      const esbuild = require('esbuild') as typeof import('esbuild');
      esbuild.buildSync({ entryPoints: [join(__dirname, 'spawn-captured.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'spawn-captured.js'), logLevel: 'silent' });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('its compile dies too, everything the compiler started with it', async () => {
      const marker = `SSHCC_SPAWN_TEST=${process.pid}-${Date.now()}-orphans`;
      const script = join(dir, 'parent.js');
      writeFileSync(
        script,
        `const { spawnCaptured } = require(${JSON.stringify(join(dir, 'spawn-captured.js'))});
         const env = { PATH: process.env.PATH, SSHCC_SPAWN_TEST: ${JSON.stringify(marker.split('=')[1])} };
         spawnCaptured(['/bin/sh', '-c', 'sleep 600 & sleep 601'], { cwd: '/', env, umask: 0o022, maxOutputBytes: 1 << 20, signal: new AbortController().signal });
         setInterval(() => undefined, 1000);\n`,
      );
      const parent = spawn(process.execPath, [script], { stdio: 'ignore' });
      try {
        const sleeping = () => processesWith(marker).filter((pid) => commOf(pid) === 'sleep');
        expect(await until(() => sleeping().length === 2, 10_000)).toBe(true);
        parent.kill('SIGKILL');
        expect(await until(() => processesWith(marker).length === 0, 5000)).toBe(true);
      } finally {
        parent.kill('SIGKILL');
        for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
      }
    }, 30_000);
  });
});

/** Live processes whose environment holds `marker` (NAME=value). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const zombie = /^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${entry}/stat`, 'latin1'));
      return !zombie && readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return ''; // gone meanwhile
  }
}

/** Polls `check` until it holds; whether it did within `ms`. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
