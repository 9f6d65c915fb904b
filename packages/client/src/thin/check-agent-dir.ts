import { statSync } from 'node:fs';

export type AgentDirState = { readonly state: 'ok' } | { readonly state: 'missing' } | { readonly state: 'unsafe'; readonly why: string };

/**
 * A socket is only trusted in a folder this user owns and nobody else can write to: otherwise
 * another user could plant a socket and read every compile's environment. The shim checks the same.
 */
export function checkAgentDir(dir: string, uid: number = process.getuid?.() ?? 0): AgentDirState {
  let stats;
  try {
    stats = statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    return { state: 'unsafe', why: `cannot check ${dir}: ${code ?? String(err)}` };
  }
  if (!stats.isDirectory()) return { state: 'unsafe', why: `${dir} is not a folder` };
  if (stats.uid !== uid) return { state: 'unsafe', why: `${dir} belongs to uid ${stats.uid}, not ${uid}` };
  if ((stats.mode & 0o022) !== 0) return { state: 'unsafe', why: `${dir} is writable by others (mode ${(stats.mode & 0o777).toString(8)})` };
  return { state: 'ok' };
}
