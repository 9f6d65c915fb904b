import { spawn } from 'node:child_process';
import { exitLike } from './exit-like';
import { writeAll } from './write-all';

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Node's stand-in for execvp: runs argv with this process's stdio and environment `env`, passes on
 * the signals this process gets, and ends as the compiler ended.
 */
export function runLocally(argv: readonly string[], env: Readonly<Record<string, string>>): Promise<never> {
  return new Promise<never>(() => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'inherit', env });
    for (const name of FORWARDED) {
      process.removeAllListeners(name);
      process.on(name, () => child.kill(name));
    }
    child.on('error', (err: NodeJS.ErrnoException) => {
      writeAll(2, Buffer.from(`sshcc: compiler: cannot run ${argv[0]}: ${err.code ?? err.message}\n`));
      process.exit(err.code === 'ENOENT' ? 127 : 126);
    });
    child.on('exit', (code, signal) => exitLike(code, signal));
  });
}
