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
    const left = execFileSync('/bin/sh', ['-c', `ps -eo pid,stat,args | grep -v grep | grep 'sleep 3[01]' | grep -v ' Z' || true`]).toString();
    expect(left.trim()).toBe('');
  });

  it('fails instead of buffering without bound', async () => {
    await expect(
      spawnCaptured(['/bin/sh', '-c', 'head -c 100000 /dev/zero'], { ...base, maxOutputBytes: 1000, signal: new AbortController().signal }),
    ).rejects.toThrow(/more than 1000 bytes/);
  });
});
