import { atLowPriority } from './low-priority';
import { spawnCaptured } from './spawn-captured';

it('runs the command at nice 19, and the command is what runs', async () => {
  // nice(1) without a command prints the niceness it runs at.
  const argv = atLowPriority(['/bin/sh', '-c', 'exec nice']);
  expect(argv.slice(1)).toEqual(['-n', '19', '/bin/sh', '-c', 'exec nice']);
  const run = await spawnCaptured(argv, { cwd: '/', env: { PATH: '/usr/bin:/bin' }, umask: 0o022, signal: new AbortController().signal, maxOutputBytes: 1024 });
  expect({ exitCode: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() }).toEqual({ exitCode: 0, stdout: '19\n', stderr: '' });
});
