import * as fs from 'node:fs';
import * as path from 'node:path';
import { distDir } from './dist-dir';

/** @sshcc/client's version (an installed package's own); read at run time since package.json lies outside tsc's rootDir. */
export function clientVersion(): string {
  const manifest: unknown = JSON.parse(fs.readFileSync(path.join(distDir(), '..', 'package.json'), 'utf8'));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
