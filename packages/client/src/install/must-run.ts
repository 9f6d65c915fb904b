import { SshccError } from '@sshcc/core';
import type { InstallTarget, RunResult } from './install-target';

/** Runs an install step's script; a failure is one line naming the step, the machine and sh's last words. */
export async function mustRun(target: InstallTarget, what: string, script: string, args: readonly string[], input?: Buffer): Promise<RunResult> {
  const result = await target.run(script, args, input);
  if (result.code === 0) return result;
  const why = result.stderr.trim().split('\n').slice(-3).join(' | ') || (result.code === null ? 'killed' : `exit ${result.code}`);
  throw new SshccError('remote-failed', `could not ${what} on ${target.where}: ${why}`);
}
