import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { keepOutput, type InstallTarget, type RunResult, type StartedServer, type UploadMethod } from './install-target';

/** `sshcc install-server --local`: this machine, as the current user, with this process's environment. */
export function localInstallTarget(env: NodeJS.ProcessEnv = process.env): InstallTarget {
  return {
    where: 'this machine',
    run: (script, args = [], input) =>
      new Promise<RunResult>((resolve, reject) => {
        const child = spawn('sh', ['-c', script, 'sh', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => keepOutput(out, chunk));
        child.stderr.on('data', (chunk: Buffer) => keepOutput(err, chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
        child.stdin.on('error', () => undefined); // a script that does not read its input
        child.stdin.end(input);
      }),
    async writeFile(path, data, mode): Promise<UploadMethod> {
      await writeFile(path, data, { mode });
      await chmod(path, mode); // the umask may have taken bits away
      return 'local';
    },
    async startServer(command): Promise<StartedServer> {
      const child = spawn('sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'ignore'] });
      child.stdin.on('error', () => undefined);
      return {
        stream: { input: child.stdout, output: child.stdin },
        close: () => {
          child.stdin.end();
          if (child.exitCode === null) child.kill();
        },
      };
    },
    close: () => undefined,
  };
}
