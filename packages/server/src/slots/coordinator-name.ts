import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '@sshcc/store';

const NAME = /^sshcc-slots-[0-9a-f]{32}$/;

/**
 * The account's slot coordinator listens on a Linux abstract socket: the kernel frees the name when the
 * process dies, so there is never a stale socket file to clean up (and no race between two cleaners).
 * Abstract names are visible to every account, so the name is a secret kept in a 0600 file in the cache
 * dir (not the runtime dir: only PAM sessions have XDG_RUNTIME_DIR, and every session must agree).
 * Another account can neither reach the coordinator nor squat its name.
 */
export function coordinatorAddress(env: NodeJS.ProcessEnv): string {
  const dir = cacheRoot(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'slots-coordinator');
  const existing = readName(file);
  if (existing !== null) return `\0${existing}`;
  // Written whole beside it, then linked into place: the first session's name wins, and no session ever reads half of one.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, `sshcc-slots-${randomBytes(16).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
  const name = readName(file);
  if (name === null) throw new Error(`${file} does not hold a slot coordinator's name`);
  return `\0${name}`;
}

function readName(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return NAME.test(text) ? text : null;
  } catch {
    return null;
  }
}
