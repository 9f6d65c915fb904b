import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { SshccError } from '@sshcc/core';

/**
 * Makes the agent's folder (mode 0700) or checks the one that is there: it must be a folder this
 * user owns; a looser mode is tightened, since clients refuse a folder others can write to.
 */
export function prepareAgentDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SshccError('config', `cannot create the agent folder ${dir}`, { cause: err });
  }
  const stats = statSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!stats.isDirectory()) throw new SshccError('config', `${dir} is not a folder`);
  if (stats.uid !== uid) throw new SshccError('config', `${dir} belongs to uid ${stats.uid}, not ${uid}`, { hint: 'set SSHCC_DIR to a folder of your own' });
  if ((stats.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}
