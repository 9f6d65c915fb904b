import * as fs from 'node:fs';
import * as path from 'node:path';

/** @sshcc/client's version; read at run time since package.json lies outside tsc's rootDir (src → dist). */
export function clientVersion(): string {
  const manifest: unknown = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
