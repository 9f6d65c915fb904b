import { execFile } from 'node:child_process';
import { SshccError } from '@sshcc/core';

/** A compiler that takes longer than this to answer a query (`--version`, `-print-prog-name`) is broken. */
const QUERY_TIMEOUT_MS = 10_000;

/** A program's stdout for a short query; its failure is a one-line 'compiler-not-found' naming the command. */
export function queryProgram(path: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    execFile(path, [...args], { env, timeout: QUERY_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (err, stdout) => {
      if (err) fail(new SshccError('compiler-not-found', `${path} ${args.join(' ')}: ${err.message.split('\n')[0]}`, { cause: err }));
      else done(stdout);
    });
  });
}
